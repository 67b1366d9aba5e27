import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { API_ROUTES, openApiDocument } from "@fleetstream/contracts";
import { describe, expect, it } from "vitest";

// The OpenAPI document is generated from API_ROUTES (packages/contracts src/api.ts); this checks
// that table against the route files Next.js serves, both ways, so neither can drift.

const API_DIR = path.resolve(import.meta.dirname, "../../app/api");

function routeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    // The JSON 404 for unknown /api paths, not an endpoint.
    if (entry.isDirectory() && full === path.join(API_DIR, "[...unknown]")) return [];
    if (entry.isDirectory()) return routeFiles(full);
    return entry.name === "route.ts" ? [full] : [];
  });
}

/** "METHOD /api/…/{param}" for every exported handler of every route file. */
function servedRoutes(): string[] {
  return routeFiles(API_DIR).flatMap((file) => {
    const dir = path.relative(API_DIR, path.dirname(file)).split(path.sep);
    const route = `/api/${dir.map((part) => part.replace(/^\[(\w+)\]$/, "{$1}")).join("/")}`;
    const source = readFileSync(file, "utf8");
    return [
      ...source.matchAll(/export (?:(?:async )?function|const) (GET|POST|PUT|PATCH|DELETE)\b/g),
    ].map((match) => `${match[1]} ${route}`);
  });
}

describe("OpenAPI document", () => {
  it("lists exactly the routes the web app serves", () => {
    const documented = API_ROUTES.map((r) => `${r.method.toUpperCase()} ${r.path}`).sort();
    expect(servedRoutes().sort()).toEqual(documented);
  });

  it("describes every route with its parameters, body and answers", () => {
    const document = openApiDocument();
    for (const route of API_ROUTES) {
      const operation = document.paths?.[route.path]?.[route.method];
      expect(operation, `${route.method} ${route.path}`).toBeDefined();
      const params = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const inPath = (operation?.parameters ?? [])
        .filter((p) => "in" in p && p.in === "path")
        .map((p) => ("name" in p ? p.name : ""));
      expect(inPath.sort()).toEqual(params.sort());
      // Every route but health also answers 401 (no credentials) and 403 (role too low).
      const guarded = route.tag === "health" ? [] : ["401", "403"];
      expect(Object.keys(operation?.responses ?? {}).sort()).toEqual(
        [...Object.keys(route.responses), ...guarded].sort(),
      );
      expect(Boolean(operation?.requestBody)).toBe(route.body !== undefined);
    }
    expect(Object.keys(document.components?.schemas ?? {})).toContain("WebhookEndpoint");
  });
});
