import type { DbReader, Tx } from "./operator";

/**
 * Another processor instance applied this partition since we restored it (the partition moved
 * while a batch of ours was in flight). The batch's transaction is rolled back; the processor
 * restores the partition and tries again, skipping what the other instance applied.
 */
export class StaleCheckpointError extends Error {
  override name = "StaleCheckpointError";
}

/**
 * Per-partition "next offset to apply", stored beside the state it describes. The save is a
 * compare-and-set on the value this instance restored, so two instances can never both apply
 * a batch of one partition: the database is the fence, not the consumer group.
 */
export function partitionCheckpoints(groupId: string, topic: string) {
  const key = (partition: number) => ({ groupId_topic_partition: { groupId, topic, partition } });
  return {
    /** The partition's checkpoint, creating it at 0 when the group has never applied it. */
    async load(db: DbReader, partition: number): Promise<number> {
      const row = await db.processorCheckpoint.upsert({
        where: key(partition),
        create: { groupId, topic, partition, nextOffset: 0n },
        update: {},
      });
      return Number(row.nextOffset);
    },
    /** Moves the checkpoint from `from` to `to`; throws StaleCheckpointError if it is not at `from`. */
    async advance(tx: Tx, partition: number, from: number, to: number): Promise<void> {
      const { count } = await tx.processorCheckpoint.updateMany({
        where: { groupId, topic, partition, nextOffset: BigInt(from) },
        data: { nextOffset: BigInt(to) },
      });
      if (count !== 1) {
        throw new StaleCheckpointError(
          `partition ${partition} of ${topic} is no longer at offset ${from} for group ${groupId}`,
        );
      }
    },
  };
}
