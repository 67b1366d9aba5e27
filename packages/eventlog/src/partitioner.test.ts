import { describe, expect, it } from "vitest";
import { partitionForKey } from "./partitioner";

describe("partitionForKey", () => {
  it("gives a text key the partition its bytes hash to, for each partition count, every time", () => {
    const keys = Array.from({ length: 2_000 }, (_, i) => `T-${String(i).padStart(5, "0")}`);
    for (const round of [1, 2]) {
      for (const partitions of [2, 5, 7]) {
        const spread = new Set<number>();
        for (const key of keys) {
          const partition = partitionForKey(key, partitions);
          // Buffers are hashed each time: the remembered answer must be the hashed one.
          expect(partition, `${key} of ${partitions}, round ${round}`).toBe(
            partitionForKey(Buffer.from(key), partitions),
          );
          spread.add(partition);
        }
        expect(spread.size).toBe(partitions);
      }
    }
  });
});
