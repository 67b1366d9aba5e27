import { Partitioners, type PartitionMetadata } from "kafkajs";

/** Metadata of `count` partitions all led by broker 0 (what a partitioner needs to pick one). */
export function partitionMetadata(count: number): PartitionMetadata[] {
  return Array.from({ length: count }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    partitionErrorCode: 0,
    replicas: [0],
    isr: [0],
  }));
}

/**
 * The partition a keyed record lands in among `partitions`: kafkajs's DefaultPartitioner, which
 * is Kafka's Java murmur2 partitioner (so the simulator, kcat with murmur2_random and Java
 * clients agree).
 */
export function partitionForKey(key: string | Buffer, partitions: number): number {
  return Partitioners.DefaultPartitioner()({
    topic: "",
    partitionMetadata: partitionMetadata(partitions),
    message: { key, value: null },
  });
}
