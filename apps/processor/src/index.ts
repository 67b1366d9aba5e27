export * from "./compose";
export * from "./env";
export * from "./lanes";
export * from "./node-flags";
export * from "./operators";
export * from "./pipeline/operator";
export * from "./positions/operator";
export * from "./processor";
