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
  if (typeof key !== "string") return hashed(key, partitions);
  let byKey = partitionByKey.get(partitions);
  if (!byKey) {
    byKey = new Map();
    partitionByKey.set(partitions, byKey);
  }
  let partition = byKey.get(key);
  if (partition === undefined) {
    if (byKey.size >= CACHED_KEYS) byKey.clear();
    partition = hashed(key, partitions);
    byKey.set(key, partition);
  }
  return partition;
}

function hashed(key: string | Buffer, partitions: number): number {
  let metadata = metadataByCount.get(partitions);
  if (!metadata) {
    metadata = partitionMetadata(partitions);
    metadataByCount.set(partitions, metadata);
  }
  return defaultPartitioner({
    topic: "",
    partitionMetadata: metadata,
    message: { key, value: null },
  });
}

// One of each: a new partitioner draws random bytes (for keyless records), per call that was a
// visible part of the simulator's profile.
const defaultPartitioner = Partitioners.DefaultPartitioner();
const metadataByCount = new Map<number, PartitionMetadata[]>();
// A key's partition, remembered: the same trucks are keyed again and again, and hashing a key
// (to bytes, then murmur2 in JS) for every record was ~3% of the processor's profile. Bounded: a
// stream of ever-new keys clears it now and then.
const CACHED_KEYS = 250_000;
const partitionByKey = new Map<number, Map<string, number>>();
