import path from "node:path";
import type { EventLog } from "@fleetstream/eventlog";
import { type AppProcess, startAppProcess } from "@fleetstream/service/testing";
import { Kafka, logLevel } from "kafkajs";
import { PROCESSOR_NODE_FLAGS } from "../src/node-flags";

// Shared by the processor's integration tests (not a test file itself).

export const brokers = (process.env.KAFKA_BROKERS ?? "127.0.0.1:9092").split(",");
export const repoRoot = path.resolve(import.meta.dirname, "../../..");

/**
 * Commits `groupId`'s offsets at the given positions, so a processor of a fresh group starts
 * there instead of replaying everything earlier runs left on the shared GPS topic.
 */
export async function commitGroupOffsets(
  groupId: string,
  topic: string,
  positions: readonly { partition: number; high: number }[],
): Promise<void> {
  const admin = new Kafka({
    clientId: `${groupId}-admin`,
    brokers,
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    await admin.setOffsets({
      groupId,
      topic,
      partitions: positions.map((p) => ({ partition: p.partition, offset: String(p.high) })),
    });
  } finally {
    await admin.disconnect();
  }
}

/** Starts `groupId` at the topic's current end; returns those end offsets per partition. */
export async function seekGroupToEnd(
  eventLog: EventLog,
  groupId: string,
  topic: string,
): Promise<Map<number, number>> {
  const ends = await eventLog.offsets(topic);
  await commitGroupOffsets(groupId, topic, ends);
  return new Map(ends.map((e) => [e.partition, e.high]));
}

export type ProcessorProcess = AppProcess;

/** The processor as a separate process, as in production. */
export function startProcessorProcess(
  env: Record<string, string>,
  output: (chunk: Buffer) => void = () => {},
  /** Extra flags for node, e.g. --cpu-prof. */
  nodeArgs: string[] = [],
): ProcessorProcess {
  return startAppProcess({
    entry: "apps/processor/src/main.ts",
    cwd: repoRoot,
    env: {
      KAFKA_BROKERS: brokers.join(","),
      LOG_LEVEL: "warn",
      // A killed processor's partitions move within seconds (the broker's minimum is 6 s).
      KAFKA_SESSION_TIMEOUT_MS: "6000",
      PROCESSOR_METRICS_PORT: "0",
      ...env,
    },
    output,
    nodeArgs: [...PROCESSOR_NODE_FLAGS, ...nodeArgs],
  });
}
