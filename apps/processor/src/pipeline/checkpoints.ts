import type { DbReader, Tx } from "./operator";

/** Per-partition "next offset to apply", stored beside the state it describes. */
export function partitionCheckpoints(groupId: string, topic: string) {
  return {
    async load(db: DbReader, partition: number): Promise<number> {
      const row = await db.processorCheckpoint.findUnique({
        where: { groupId_topic_partition: { groupId, topic, partition } },
      });
      return row ? Number(row.nextOffset) : 0;
    },
    async save(tx: Tx, partition: number, nextOffset: number): Promise<void> {
      await tx.processorCheckpoint.upsert({
        where: { groupId_topic_partition: { groupId, topic, partition } },
        create: { groupId, topic, partition, nextOffset: BigInt(nextOffset) },
        update: { nextOffset: BigInt(nextOffset) },
      });
    },
  };
}
