export * from "./env";
export * from "./lifecycle";
export * from "./logger";
