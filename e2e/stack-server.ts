// The `stack` project's server: `npm run stack`'s launcher, with its processor lanes' consumer
// groups starting at the end of the GPS topic when a group is new. The broker is shared with the
// integration tests, which leave fixes on gps_location_trucks (the windows test's event times
// are in 2035, on purpose): a new group replaying them from the beginning would move every
// partition's watermark years ahead, and the demo fleet's fixes would all be late (no windows).
// A group that already has offsets (an earlier run on this broker) keeps them.
import { Kafka, logLevel } from "kafkajs";
import { laneGroupId, SPLIT_LANES } from "../apps/processor/src/lanes";

const GROUP = process.env.PROCESSOR_GROUP_ID ?? "fleetstream-processor";
const TOPIC = "gps_location_trucks";

async function startGroupAtEnd(brokers: string[], group: string): Promise<void> {
  const admin = new Kafka({ clientId: "e2e-stack", brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(TOPIC)) return; // nothing to skip
    const [committed] = await admin.fetchOffsets({ groupId: group, topics: [TOPIC] });
    if (committed?.partitions.some((p) => Number(p.offset) >= 0)) return;
    const ends = await admin.fetchTopicOffsets(TOPIC);
    await admin.setOffsets({
      groupId: group,
      topic: TOPIC,
      partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })),
    });
    console.log(`e2e: ${group} starts at the end of ${TOPIC}`);
  } finally {
    await admin.disconnect();
  }
}

// Without KAFKA_BROKERS the launcher starts infra/'s broker itself (nothing to prepare).
const brokers = process.env.KAFKA_BROKERS?.split(",").filter(Boolean);
if (brokers && brokers.length > 0)
  for (const lane of SPLIT_LANES) await startGroupAtEnd(brokers, laneGroupId(GROUP, lane));
await import("../apps/standalone/src/stack");
