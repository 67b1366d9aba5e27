import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

// The REST routes as the route files define them, for tests that must cover every one.

const API_DIR = fileURLToPath(new URL("../src/app/api", import.meta.url));

/** [method, path pattern] for every exported handler, e.g. ["DELETE", "/api/geofences/:id"]. */
export function apiRoutes(): [string, string][] {
  const routes: [string, string][] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      // The /api catch-all only answers 404 for paths no route serves; unlisted = admin-only.
      if (entry.isDirectory()) {
        if (!entry.name.startsWith("[...")) walk(path);
      } else if (entry.name === "route.ts") {
        const pattern = `/api/${relative(API_DIR, dir)}`.replace(/\[(\w+)\]/g, ":$1");
        const source = readFileSync(path, "utf8");
        for (const [, method] of source.matchAll(/export const (GET|POST|PUT|PATCH|DELETE)\b/g)) {
          routes.push([method as string, pattern]);
        }
      }
    }
  };
  walk(API_DIR);
  return routes.sort();
}

/** A concrete path for a pattern: ":id" → "x1". */
export const concrete = (pattern: string) => pattern.replace(/:\w+/g, "x1");
