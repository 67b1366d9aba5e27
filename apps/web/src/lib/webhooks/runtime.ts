import type { WebhookStore } from "@fleetstream/webhooks";

/**
 * The webhook store the custom server hands to the route handlers at run time (both run in one
 * Node process but load modules separately: tsx vs. Next's bundle), on globalThis under a
 * registered symbol, like lib/geofences/runtime.ts. Undefined without a database.
 */
const KEY = Symbol.for("fleetstream.web.webhookStore");

type Holder = typeof globalThis & { [KEY]?: WebhookStore | undefined };

export function setWebhookStore(store: WebhookStore | undefined): void {
  (globalThis as Holder)[KEY] = store;
}

export function getWebhookStore(): WebhookStore | undefined {
  return (globalThis as Holder)[KEY];
}
