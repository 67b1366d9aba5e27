/**
 * The processor watermark: the minimum of the partition watermarks, with an idle rule so that a
 * partition without new input cannot hold it back forever. See README.md "Watermarks".
 */

/** What the processor knows about one input partition when it computes its watermark. */
export interface PartitionProgress {
  partition: number;
  /** The partition watermark (max event time seen minus the bound); undefined before any fix. */
  watermark: number | undefined;
  /** End of the input partition: the offset the next record written to it will get. */
  endOffset: number;
  /** The processor's checkpoint for it: every record before this offset has been applied. */
  appliedOffset: number;
  /** Processing time since the partition's last applied batch; undefined if it never had one. */
  quietMs: number | undefined;
}

/**
 * A partition is idle when the processor has applied everything written to it (checkpoint = end
 * of the partition) and nothing new has arrived for `idleTimeoutMs`. A partition with unread
 * records is never idle, however long ago its last batch was (a restarted or lagging processor
 * does not skip it).
 */
export function isIdle(progress: PartitionProgress, idleTimeoutMs: number): boolean {
  const caughtUp = progress.appliedOffset >= progress.endOffset;
  return caughtUp && (progress.quietMs === undefined || progress.quietMs >= idleTimeoutMs);
}

/**
 * Processor watermark = min over the partitions that are not idle; when every partition is idle,
 * the max over all of them (all input so far is applied, so nothing is waited for). A partition
 * that is not idle and has no watermark yet holds it at -Infinity. Never moves backwards:
 * `previous` is the last value computed (by any processor instance).
 */
export function processorWatermark(
  partitions: readonly PartitionProgress[],
  idleTimeoutMs: number,
  previous = Number.NEGATIVE_INFINITY,
): { watermark: number; idle: number[] } {
  const idle: number[] = [];
  let activeMin = Number.POSITIVE_INFINITY;
  let anyActive = false;
  let idleMax = Number.NEGATIVE_INFINITY;
  for (const p of partitions) {
    const w = p.watermark ?? Number.NEGATIVE_INFINITY;
    if (isIdle(p, idleTimeoutMs)) {
      idle.push(p.partition);
      idleMax = Math.max(idleMax, w);
    } else {
      anyActive = true;
      activeMin = Math.min(activeMin, w);
    }
  }
  const candidate = anyActive ? activeMin : idleMax;
  return { watermark: Math.max(previous, candidate), idle };
}
