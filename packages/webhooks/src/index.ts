export * from "./deliveries";
export * from "./filters";
export * from "./payload";
export * from "./schedule";
export * from "./settings";
export * from "./signing";
export * from "./ssrf";
export * from "./store";
