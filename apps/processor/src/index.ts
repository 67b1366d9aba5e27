export * from "./env";
export * from "./operators";
export * from "./pipeline/operator";
export * from "./processor";
export * from "./store";
