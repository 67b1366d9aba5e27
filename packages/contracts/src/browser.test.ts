import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/** Every module `file` loads at runtime (type-only imports are erased), following local ones. */
function runtimeImports(file: string, seen = new Set<string>()): Set<string> {
  const source = readFileSync(file, "utf8");
  const specifiers = [
    ...source.matchAll(/^(?:import|export)\s+(?!type\s)[^;]*?from\s+"([^"]+)";/gms),
  ].map((match) => match[1] as string);
  for (const specifier of specifiers) {
    if (!specifier.startsWith(".")) {
      seen.add(specifier);
      continue;
    }
    const resolved = path.resolve(path.dirname(file), `${specifier}.ts`);
    if (seen.has(resolved)) continue;
    seen.add(resolved);
    runtimeImports(resolved, seen);
  }
  return seen;
}

describe("the browser entry of the contracts", () => {
  it("loads no package at runtime (no zod: the console page would carry every schema)", () => {
    const loaded = [...runtimeImports(path.join(import.meta.dirname, "browser.ts"))];
    expect(loaded.filter((name) => !name.startsWith("/"))).toEqual([]);
    expect(loaded.map((file) => path.basename(file)).sort()).toEqual([
      "constants.ts",
      "fix-order.ts",
      "fleet-columns.ts",
    ]);
  });
});
