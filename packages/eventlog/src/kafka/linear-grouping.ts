import { replaceKafkajsModule } from "./kafkajs-module";

/**
 * kafkajs 2.2.4 groups a request's messages per partition with `[...current, message]` for every
 * message: quadratic in the messages per partition (1,000 take ~5 ms, 20,000 ~2 s, 50,000 ~17 s).
 * The fix proposed upstream (tulios/kafkajs#1576, open since 2023; kafkajs has had no release
 * since) is a plain loop. This module puts that loop in place of kafkajs's module before kafkajs
 * loads it: it must be imported before anything imports "kafkajs" (the event log's entry points
 * import it first). Same inputs, same output.
 */
type Grouping = (args: {
  topic: string;
  partitionMetadata: readonly unknown[];
  messages: readonly unknown[];
  partitioner: (args: {
    topic: string;
    partitionMetadata: readonly unknown[];
    message: unknown;
  }) => number;
}) => Record<number, unknown[]>;

const linearGrouping: Grouping = ({ topic, partitionMetadata, messages, partitioner }) => {
  const result: Record<number, unknown[]> = {};
  if (partitionMetadata.length === 0) return result;
  for (const message of messages) {
    const partition = partitioner({ topic, partitionMetadata, message });
    const current = result[partition];
    if (current) current.push(message);
    else result[partition] = [message];
  }
  return result;
};

/** Whether kafkajs's producer uses the linear grouping (false: kafkajs was loaded before). */
export const kafkajsGroupingPatched = replaceKafkajsModule(
  "producer/groupMessagesPerPartition.js",
  "producer/sendMessages.js",
  linearGrouping,
);
