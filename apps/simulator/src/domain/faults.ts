import { MALFORMED_KINDS, type MalformedKind, malformFix, serializeFix } from "./codec";
import type { SimFix } from "./fleet";
import type { Random } from "./random";

/** Fault injection settings. Rates are probabilities per generated fix; all 0 by default. */
export interface FaultOptions {
  /** The record is sent twice (identical bytes, back to back), like a producer retry. */
  duplicateRate: number;
  /** The record is held back for up to `reorderWindowMs` of simulated time, then sent. */
  reorderRate: number;
  reorderWindowMs: number;
  /** The record is held back `lateByMs` to 1.5 x `lateByMs` (event time far behind), then sent. */
  lateRate: number;
  lateByMs: number;
  /** The record is replaced by a malformed one of a kind drawn from `malformedKinds`. */
  malformedRate: number;
  malformedKinds: readonly MalformedKind[];
  /** The record is not sent (a gap in the truck's seq). */
  dropRate: number;
  /** The truck goes silent for `silenceForMs`: none of its fixes are sent in that time. */
  silenceRate: number;
  silenceForMs: number;
}

export const NO_FAULTS: FaultOptions = {
  duplicateRate: 0,
  reorderRate: 0,
  reorderWindowMs: 60_000,
  lateRate: 0,
  lateByMs: 10 * 60_000,
  malformedRate: 0,
  malformedKinds: MALFORMED_KINDS,
  dropRate: 0,
  silenceRate: 0,
  silenceForMs: 5 * 60_000,
};

export const anyFaults = (f: FaultOptions) =>
  f.duplicateRate > 0 ||
  f.reorderRate > 0 ||
  f.lateRate > 0 ||
  f.malformedRate > 0 ||
  f.dropRate > 0 ||
  f.silenceRate > 0;

/** What happened to a record on its way out; absent for a plain fix. */
export type Injected = "duplicate" | "reordered" | "late" | `malformed:${MalformedKind}`;

/** One record to send. */
export interface Emission {
  /** Partitioning key: the truck id (null only for replayed records that have none). */
  key: string | null;
  /** Record value; null is a tombstone (one of the malformed kinds). */
  value: string | null;
  /** Simulated time at which it is sent, epoch ms (the fix's event time unless held back). */
  emitAt: number;
  injected?: Injected;
}

/** What the fault injector did, by kind; compare with what a consumer sees. */
export interface FaultCounts {
  duplicates: number;
  reordered: number;
  late: number;
  malformed: number;
  malformedByKind: Partial<Record<MalformedKind, number>>;
  dropped: number;
  /** Silent periods started, and the fixes they swallowed. */
  silences: number;
  silenced: number;
}

export const emptyFaultCounts = (): FaultCounts => ({
  duplicates: 0,
  reordered: 0,
  late: 0,
  malformed: 0,
  malformedByKind: {},
  dropped: 0,
  silences: 0,
  silenced: 0,
});

/**
 * Applies faults to one fix at a time. Every fix takes the same number of random draws whatever
 * the rates, so turning one fault on does not change which fixes another fault hits, and the fleet
 * has its own random streams, so faults never change where trucks drive.
 * Order per fix: silence, drop, malformed (replaces the fix), delay (late or reorder), duplicate.
 */
export class FaultInjector {
  readonly counts = emptyFaultCounts();
  private readonly silentUntil = new Map<number, number>();

  constructor(
    private readonly options: FaultOptions,
    private readonly random: Random,
  ) {}

  /** Emissions for one fix: zero, one or two; delayed ones have emitAt in the future. */
  apply(sim: SimFix): Emission[] {
    const r = this.random;
    const o = this.options;
    const uSilence = r.float();
    const uDrop = r.float();
    const uMalformed = r.float();
    const uDelay = r.float();
    const uDuplicate = r.float();
    const pick = r.float();
    const amount = r.float();
    const variant = r.int(0, 1_000_000);

    const fix = sim.fix;
    const until = this.silentUntil.get(sim.truck);
    if (until !== undefined && fix.eventTime < until) {
      this.counts.silenced++;
      return [];
    }
    if (uSilence < o.silenceRate) {
      this.silentUntil.set(sim.truck, fix.eventTime + o.silenceForMs);
      this.counts.silences++;
      this.counts.silenced++;
      return [];
    }
    if (uDrop < o.dropRate) {
      this.counts.dropped++;
      return [];
    }
    const key = fix.truckId;
    if (uMalformed < o.malformedRate && o.malformedKinds.length > 0) {
      const kind = o.malformedKinds[Math.floor(pick * o.malformedKinds.length)] as MalformedKind;
      this.counts.malformed++;
      this.counts.malformedByKind[kind] = (this.counts.malformedByKind[kind] ?? 0) + 1;
      return [
        {
          key,
          value: malformFix(fix, kind, variant),
          emitAt: fix.eventTime,
          injected: `malformed:${kind}`,
        },
      ];
    }
    let emitAt = fix.eventTime;
    let injected: Injected | undefined;
    // Late and reorder share one draw: late takes [0, lateRate), reorder the next reorderRate.
    if (uDelay < o.lateRate) {
      emitAt += Math.round(o.lateByMs * (1 + 0.5 * amount));
      injected = "late";
      this.counts.late++;
    } else if (uDelay < o.lateRate + o.reorderRate) {
      emitAt += 1 + Math.round((o.reorderWindowMs - 1) * amount);
      injected = "reordered";
      this.counts.reordered++;
    }
    const value = serializeFix(fix);
    const first: Emission = injected ? { key, value, emitAt, injected } : { key, value, emitAt };
    if (uDuplicate < o.duplicateRate) {
      this.counts.duplicates++;
      return [first, { key, value, emitAt, injected: "duplicate" }];
    }
    return [first];
  }
}
