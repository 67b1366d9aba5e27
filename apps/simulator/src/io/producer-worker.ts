import { parentPort, workerData } from "node:worker_threads";
import { createEventLog } from "@fleetstream/eventlog";
import { type KafkaSecurity, Outage } from "@fleetstream/service";
import { sendUntilAcked } from "./sink";

/** Settings the parent passes as workerData. */
export interface ProducerWorkerData {
  brokers: string[];
  /** TLS and SASL, as the cli read them (workerData is cloned: plain values only). */
  security: KafkaSecurity;
  clientId: string;
  topic: string;
}

export type ToWorker =
  | { kind: "send"; id: number; keys: (string | null)[]; values: (string | null)[] }
  | { kind: "close" };

export type FromWorker =
  | { kind: "ack"; id: number; count: number }
  | { kind: "error"; id: number; count: number; message: string }
  | { kind: "closed" }
  /** This thread's producer cannot reach Kafka (down) or can again; the parent logs it. */
  | { kind: "outage"; down: boolean; message: string; error?: string; downMs?: number };

/**
 * One producer on its own thread: kafkajs encodes record batches in JavaScript, so encoding on
 * two threads roughly doubles what one process can produce. Sends run in arrival order (the event
 * log serializes them), which keeps each key's records in order.
 */
const port = parentPort;
if (!port) throw new Error("producer-worker must run in a worker thread");
const settings = workerData as ProducerWorkerData;
const log = createEventLog({
  clientId: settings.clientId,
  brokers: settings.brokers,
  security: settings.security,
});
// Sends wait up to 5 ms for others (Kafka's own producer default since 4.0). Alone at 10,000
// fixes/s, a request per acknowledgement made ~600 a second: the simulator took 0.22–0.32 cores
// and the broker 0.10–0.13; with the linger, ~100 requests, 0.19–0.20 and 0.05 cores.
const producer = log.producer({ lingerMs: 5 });
const reply = (message: FromWorker) => port.postMessage(message);
const outage = new Outage("Kafka", {
  warn: (fields: { err?: unknown }, message) =>
    reply({ kind: "outage", down: true, message, error: rootMessageOf(fields.err) }),
  info: (fields: { downMs?: number }, message) =>
    reply({ kind: "outage", down: false, message, downMs: fields.downMs ?? 0 }),
});

function rootMessageOf(error: unknown): string {
  let cause = error;
  while (cause instanceof Error && cause.cause instanceof Error) cause = cause.cause;
  return cause instanceof Error ? cause.message : String(cause);
}

port.on("message", (message: ToWorker) => {
  if (message.kind === "close") {
    log.close().then(
      () => reply({ kind: "closed" }),
      () => reply({ kind: "closed" }),
    );
    return;
  }
  const { id, keys, values } = message;
  const records = keys.map((key, i) => ({ key, value: values[i] ?? null }));
  sendUntilAcked(producer, settings.topic, records, outage).then(
    () => reply({ kind: "ack", id, count: records.length }),
    (error: unknown) =>
      reply({
        kind: "error",
        id,
        count: records.length,
        message: error instanceof Error ? error.message : String(error),
      }),
  );
});
