export * from "./backoff";
export * from "./env";
export * from "./lifecycle";
export * from "./logger";
export * from "./ops-server";
export * from "./outage";
export * from "./probe";
export * from "./start-up";
