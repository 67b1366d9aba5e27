export { composeWeb } from "./compose";
export type { SeparateProcessWebEnv } from "./env";
export { loadWebEnv, WebEnv } from "./env";
export type { WebServer, WebServerDeps } from "./server/web-server";
export { createWebServer, WEB_APP_DIR } from "./server/web-server";
