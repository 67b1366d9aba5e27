/** Records per eachBatch call unless the consumer asks otherwise. */
export const DEFAULT_MAX_BATCH_SIZE = 500;

/** The consumer's `failed` promise and the function that rejects it (already marked handled). */
export function failureSignal(): { failed: Promise<never>; fail: (error: unknown) => void } {
  let fail!: (error: unknown) => void;
  const failed = new Promise<never>((_, reject) => {
    fail = reject;
  });
  // Marks the rejection as handled; callers who care attach their own handler.
  failed.catch(() => {});
  return { failed, fail };
}

/** The validated maxBatchSize of consumer options. */
export function maxBatchSizeOf(options: { maxBatchSize?: number | undefined }): number {
  const size = options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE;
  if (!Number.isInteger(size) || size < 1)
    throw new Error("maxBatchSize must be a positive integer");
  return size;
}

/** Map key of a topic-partition. */
export const tpKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;
