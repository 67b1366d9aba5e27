import { decodeGpsFix, type GpsFix } from "@fleetstream/contracts";
import type { ConsumedRecord } from "@fleetstream/eventlog";

/** What the processor decided for one consumed record. */
export type Classified =
  | { kind: "ok"; fix: GpsFix; record: ConsumedRecord }
  | { kind: "dlq"; reason: string; record: ConsumedRecord };

/**
 * Validates a record against the contract. The key must be the truck id: it is what keeps one
 * truck's fixes in one partition, in order, which every per-truck state relies on.
 */
export function classifyRecord(record: ConsumedRecord): Classified {
  const decoded = decodeGpsFix(record.value);
  if (!decoded.ok) return { kind: "dlq", reason: decoded.reason, record };
  if (record.key === null) {
    return { kind: "dlq", reason: "key: missing (the record key must be the truckId)", record };
  }
  if (record.key !== decoded.value.truckId) {
    return {
      kind: "dlq",
      reason: `key: record key "${record.key}" differs from truckId "${decoded.value.truckId}"`,
      record,
    };
  }
  return { kind: "ok", fix: decoded.value, record };
}

/**
 * The newest fix per truck among `fixes`, keeping only those newer than what `known` already holds.
 * "Newer" is by sequence number: a truck's seq grows by one per fix, so a redelivered or
 * reordered older fix never moves the truck backwards on the map.
 */
export function newestPerTruck(
  fixes: readonly GpsFix[],
  knownSeq: (truckId: string) => number | undefined,
): GpsFix[] {
  const newest = new Map<string, GpsFix>();
  for (const fix of fixes) {
    const current = newest.get(fix.truckId);
    if (current && current.seq >= fix.seq) continue;
    const known = knownSeq(fix.truckId);
    if (known !== undefined && known >= fix.seq) continue;
    newest.set(fix.truckId, fix);
  }
  return [...newest.values()];
}
