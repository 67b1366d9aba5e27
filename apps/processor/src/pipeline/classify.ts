import { decodeGpsFix, type GpsFix } from "@fleetstream/contracts";
import type { ConsumedRecord } from "@fleetstream/eventlog";

const NO_LATEST = { eventTime: Number.POSITIVE_INFINITY, setting: "" };

/** What the processor decided for one consumed record. */
export type Classified =
  | { kind: "ok"; fix: GpsFix; record: ConsumedRecord }
  | { kind: "dlq"; reason: string; record: ConsumedRecord };

/**
 * Validates a record against the contract. The key must be the truck id: it is what keeps one
 * truck's fixes in one partition, in order, which every per-truck state relies on.
 */
export function classifyRecord(
  record: ConsumedRecord,
  latest: { eventTime: number; setting: string } = NO_LATEST,
): Classified {
  const decoded = decodeGpsFix(record.value);
  if (!decoded.ok) return { kind: "dlq", reason: decoded.reason, record };
  if (decoded.value.eventTime > latest.eventTime) {
    const ahead = Math.round((decoded.value.eventTime - latest.eventTime) / 1000);
    return {
      kind: "dlq",
      reason:
        `eventTime: ${new Date(decoded.value.eventTime).toISOString()} is ${ahead} s beyond ` +
        `the latest accepted (${latest.setting} ahead of the processor's clock)`,
      record,
    };
  }
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
