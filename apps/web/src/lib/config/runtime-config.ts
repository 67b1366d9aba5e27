/**
 * Settings the custom server hands to the Next.js render code at run time (not build time).
 * Both run in one Node process but load this module separately (tsx vs. Next's bundle), so the
 * value lives on globalThis under a registered symbol. Last writer wins: one web server per process.
 */
export interface WebRuntimeConfig {
  /** MAP_TILE_URL as configured: a tile URL template or "none". */
  tileUrl: string;
}

const KEY = Symbol.for("fleetstream.web.runtimeConfig");

type Holder = typeof globalThis & { [KEY]?: WebRuntimeConfig };

export function setRuntimeConfig(config: WebRuntimeConfig): void {
  (globalThis as Holder)[KEY] = config;
}

export function getRuntimeConfig(): WebRuntimeConfig | undefined {
  return (globalThis as Holder)[KEY];
}
