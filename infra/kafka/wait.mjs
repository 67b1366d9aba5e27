// Waits until a Kafka broker answers a kafkajs admin listTopics, or fails with one clear line.
// Usage: node infra/kafka/wait.mjs [--brokers 127.0.0.1:9092] [--timeout 60] [--pid <broker pid>]
import { parseArgs } from "node:util";
import { Kafka, logLevel } from "kafkajs";

const { values } = parseArgs({
  options: {
    brokers: { type: "string", default: process.env.KAFKA_BROKERS ?? "127.0.0.1:9092" },
    timeout: { type: "string", default: "60" },
    pid: { type: "string" },
    quiet: { type: "boolean", default: false },
  },
});

const brokers = values.brokers
  .split(",")
  .map((b) => b.trim())
  .filter(Boolean);
const timeoutMs = Number(values.timeout) * 1000;
const pid = values.pid ? Number(values.pid) : undefined;
const deadline = Date.now() + timeoutMs;

function fail(message) {
  console.error(`kafka wait: ${message}`);
  process.exit(1);
}

function alive(p) {
  try {
    process.kill(p, 0);
    return true;
  } catch {
    return false;
  }
}

const kafka = new Kafka({
  clientId: "fleetstream-infra-wait",
  brokers,
  logLevel: logLevel.NOTHING,
  connectionTimeout: 1000,
  requestTimeout: 3000,
  retry: { retries: 0 },
});

let lastError = "no attempt made";
while (Date.now() < deadline) {
  if (pid !== undefined && !alive(pid)) {
    fail(
      `broker process ${pid} exited before ${brokers.join(",")} accepted clients (see its logs)`,
    );
  }
  const admin = kafka.admin();
  try {
    await admin.connect();
    const topics = await admin.listTopics();
    await admin.disconnect();
    if (!values.quiet) console.log(`kafka ready at ${brokers.join(",")} (${topics.length} topics)`);
    process.exit(0);
  } catch (error) {
    lastError = error instanceof Error ? error.message : String(error);
    await admin.disconnect().catch(() => {});
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
}
fail(`broker ${brokers.join(",")} not ready after ${values.timeout}s: ${lastError}`);
