export * from "./dashboard";
export * from "./geofence";
export * from "./gps-fix";
export * from "./socket-events";
export * from "./topics";
export * from "./windows";
