import { createServer, type IncomingHttpHeaders, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { decodeJson, WebhookPayload } from "@fleetstream/contracts";
import { Webhook } from "standardwebhooks";

/**
 * A webhook receiver for people (the `fleet-hooks listen` command) and tests: verifies each
 * request with the reference `standardwebhooks` verifier and reports it. Answers 204 to a
 * verified delivery (or the status asked for, to try retries), 401 to a bad signature.
 */
export interface ReceivedDelivery {
  id: string;
  timestamp: number;
  payload: WebhookPayload;
  /** How many times this webhook-id has arrived, this one included. */
  count: number;
  /** The body as received (the signed bytes). */
  body: string;
  headers: IncomingHttpHeaders;
}

export interface ReceiverOptions {
  port: number;
  host?: string;
  secret: string;
  /** Status answered to verified deliveries (default 204). */
  status?: number;
  onDelivery(delivery: ReceivedDelivery): void;
  onRejected?(reason: string, request: { method: string; path: string }): void;
}

export interface Receiver {
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly url: string;
}

const MAX_BODY = 1_024 * 1_024;

async function readBody(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export function createReceiver(options: ReceiverOptions): Receiver {
  const verifier = new Webhook(options.secret);
  const seen = new Map<string, number>();
  const host = options.host ?? "127.0.0.1";
  const server = createServer((request, response) => {
    const reject = (status: number, reason: string) => {
      options.onRejected?.(reason, { method: request.method ?? "?", path: request.url ?? "/" });
      response.writeHead(status, { "content-type": "text/plain" }).end(`${reason}\n`);
    };
    if (request.method !== "POST") {
      reject(405, "webhooks arrive as POST");
      return;
    }
    readBody(request).then(
      (body) => {
        if (body === undefined) return reject(413, "body too large");
        try {
          verifier.verify(body, request.headers as Record<string, string>);
        } catch (error) {
          return reject(401, `signature check failed: ${(error as Error).message}`);
        }
        const decoded = decodeJson(WebhookPayload, body);
        if (!decoded.ok) return reject(400, `not a Fleetstream payload: ${decoded.reason}`);
        const id = String(request.headers["webhook-id"]);
        const count = (seen.get(id) ?? 0) + 1;
        seen.set(id, count);
        options.onDelivery({
          id,
          timestamp: Number(request.headers["webhook-timestamp"]),
          payload: decoded.value,
          count,
          body,
          headers: request.headers,
        });
        response.writeHead(options.status ?? 204).end();
      },
      () => reject(400, "request aborted"),
    );
  });
  return {
    get url() {
      const address = server.address() as AddressInfo | null;
      return `http://${host.includes(":") ? `[${host}]` : host}:${address?.port ?? options.port}/`;
    },
    start: () =>
      new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(options.port, host, () => {
          server.off("error", reject);
          resolve();
        });
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const fixed = (value: number, digits: number) => value.toFixed(digits);

/** One line per delivery: time, type, truck, fence, position, speed, webhook-id. */
export function formatDelivery(delivery: ReceivedDelivery, at: Date = new Date()): string {
  const time = at.toISOString().slice(11, 23);
  const again = delivery.count > 1 ? `  (again, #${delivery.count})` : "";
  const { payload } = delivery;
  if (payload.type === "webhook.test") {
    return `${time}  ${payload.type.padEnd(18)}  endpoint ${payload.data.endpointId}: ${payload.data.message}  ${delivery.id}${again}`;
  }
  const { alert, geofence, truck } = payload.data;
  const fence = `${geofence.name ?? geofence.id}${geofence.tags.length ? ` [${geofence.tags.join(",")}]` : ""}`;
  const position = truck.lastPosition;
  return [
    time,
    payload.type.padEnd(18),
    alert.truckId.padEnd(10),
    fence,
    `${fixed(position.lat, 5)},${fixed(position.lon, 5)}`,
    `${fixed(alert.speedKmh, 1)} km/h`,
    `${delivery.id}${again}`,
  ].join("  ");
}
