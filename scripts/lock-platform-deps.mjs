// Adds the lockfile entries npm leaves out for other platforms' optional packages.
//
// Why: the registry these machines reach serves only this platform's native packages
// (e.g. @biomejs/cli-darwin-arm64 answers 404), so `npm install` writes no entry for them, and
// `npm ci` then refuses the lockfile ("Missing: @biomejs/cli-android-arm64@ from lock file").
// An entry with its version and `optional: true` is all `npm ci` needs: it skips the package on
// platforms it does not fit, as it would anyway. Run after any `npm install` that changes the
// lockfile: `npm run lock:fix`. `.ci/run`'s `npm ci` fails if you forget.
import { readFileSync, writeFileSync } from "node:fs";

const file = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(file, "utf8"));
const packages = lock.packages;
const added = [];
for (const meta of Object.values(packages)) {
  for (const [name, spec] of Object.entries(meta.optionalDependencies ?? {})) {
    const path = `node_modules/${name}`;
    if (packages[path] || !/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(spec)) continue;
    packages[path] = { version: spec, optional: true, ...(meta.dev ? { dev: true } : {}) };
    added.push(`${name}@${spec}`);
  }
}
if (added.length > 0) {
  const sorted = Object.fromEntries(
    Object.entries(packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : 1)),
  );
  writeFileSync(file, `${JSON.stringify({ ...lock, packages: sorted }, null, 2)}\n`);
}
console.log(`lock:fix: ${added.length} optional platform package(s) recorded`);
