// What the dashboard's browser code imports from the contracts at runtime: plain values and
// functions, none of the zod schemas. Importing the package's index instead would bring zod and
// every schema (about 150 KB of script, built at load) into the console page before its map can
// draw. Types may still come from "@fleetstream/contracts" (`import type` is erased).
export * from "./constants";
export * from "./fix-order";
export * from "./fleet-columns";
