import type { GpsFix, TopicSpec } from "@fleetstream/contracts";
import type { Database, Sql, SqlTx } from "@fleetstream/db";

/** A valid fix with where it came from (offsets order a partition; event time orders a truck). */
export interface AcceptedFix {
  fix: GpsFix;
  partition: number;
  offset: number;
}

export interface OutputRecord {
  topic: string;
  key: string;
  value: string;
}

/**
 * Records of one topic whose values are written when the checkpoint is written, in slices between
 * other work, not while it is taken: a minute's close brings a final window of every truck at
 * once, and writing 20,000 of them held every partition for a quarter of a second. Read by index
 * from the operator's columns: one object for all of them, not one (and a closure) per record.
 */
export interface DeferredRecords {
  topic: string;
  length: number;
  key(i: number): string;
  encode(i: number): string;
}

export type CheckpointRecord = OutputRecord | DeferredRecords;

/** A checkpoint's records as they are published. */
export function encodedRecords(records: readonly CheckpointRecord[]): OutputRecord[] {
  const out: OutputRecord[] = [];
  for (const record of records) {
    if (!("encode" in record)) out.push(record);
    else
      for (let i = 0; i < record.length; i++)
        out.push({ topic: record.topic, key: record.key(i), value: record.encode(i) });
  }
  return out;
}

/**
 * What an operator hands over at a checkpoint of one partition: what the partition's input since
 * the previous checkpoint produced, and how its state changed.
 */
export interface OperatorCheckpoint {
  /** Published before the checkpoint's transaction commits (at least once). */
  records: CheckpointRecord[];
  /** Work outside the transaction that must come first (e.g. creating table partitions). */
  prepare?(sql: Sql): Promise<void>;
  /**
   * Writes the operator's rows inside the checkpoint's transaction. Its statements are sent as
   * one batch with the rest (Sql.batch): their results are not available; a check that must fail
   * the checkpoint raises (fleetstream_assert).
   */
  persist(tx: SqlTx): Promise<void>;
  /**
   * Keys whose state changed since the previous checkpoint. The processor reads their state
   * (stateOf) when it next writes a state snapshot, which is rarer than checkpoints.
   */
  changed: Iterable<string>;
}

/**
 * Records behind the partition's end above which it is working through a backlog (a restart, an
 * outage, a pre-filled topic), not keeping up with a live fleet: operators then publish less of
 * what is superseded within seconds (each truck's newest position per checkpoint, no early speed
 * window that closes soon), which spends the CPU on catching up. (The lag bench at 10,000
 * fixes/s was worse with 20,000 here.)
 */
export const BACKLOG_RECORDS = 1_000;

/** What the processor knows when it applies a batch or takes a checkpoint of a partition. */
export interface CheckpointContext {
  /** Processing time (ms). */
  now: number;
  /** Records of the partition not yet processed when its last batch was fetched (0: caught up). */
  lag: number;
}

/** Periodic output of an operator (see StreamOperator.tick). */
export interface TickOutput {
  records: OutputRecord[];
  persist(tx: SqlTx): Promise<void>;
}

/**
 * A stateful step of the processor (positions, geofence alerts, speed windows). State lives in
 * memory, per input partition, keyed (a truck id, or "" for the partition's own); the processor
 * checkpoints it every few seconds together with the outputs it produced since the previous
 * checkpoint and the input offset they cover (ARCHITECTURE.md "Checkpoints"). After a restart or
 * a rebalance the partition's state is restored from its last checkpoint and the input after it
 * is processed again, so every output in the database is written exactly once.
 *
 * process() and checkpoint() must be deterministic functions of the restored state and the
 * input, and do no I/O.
 */
export interface StreamOperator {
  readonly name: string;
  /** Topics this operator writes, created at start with the configured partitions. */
  topics(partitions: number): TopicSpec[];
  /** Replaces the partition's state with what this operator stored at its last checkpoint. */
  restore(partition: number, state: ReadonlyMap<string, unknown>): void;
  /** Forgets a partition that moved to another instance. */
  drop(partition: number): void;
  /** Applies one batch of one partition, in offset order; returns records to publish now. */
  process(
    partition: number,
    fixes: readonly AcceptedFix[],
    context: CheckpointContext,
  ): OutputRecord[];
  /** Hands over the outputs and state changes since the previous checkpoint (and forgets them). */
  checkpoint(partition: number, context: CheckpointContext): OperatorCheckpoint;
  /**
   * The current state of one key, JSON-able, or undefined (none). The state row of a key holds
   * every operator's part.
   */
  stateOf(partition: number, key: string): unknown;
  /** Entries of in-memory state for metrics, e.g. { trucks: 1234 }. */
  stateSize?(): Record<string, number>;
  /** Optional lifecycle, e.g. a reader of reference data; called by the processor. */
  start?(): Promise<void>;
  stop?(): Promise<void>;
  /**
   * Optional periodic work that needs time to pass without input (speed windows: combine all
   * partitions and finalize when a partition is idle). May read `db`. Called every
   * `tickIntervalMs` (default 1000), one tick at a time; its records are published, then its
   * persist runs in a transaction.
   */
  tick?(db: Database): Promise<TickOutput>;
  readonly tickIntervalMs?: number;
}

/**
 * Which geofences contain a point at an event time (a geofence change applies to fixes whose
 * event time is after it). Implemented by the geofence module; used by others, e.g. windows
 * per geofence and per-geofence speed limits.
 */
export interface GeofenceLookup {
  containing(lat: number, lon: number, eventTime: number): readonly GeofenceRef[];
}

export interface GeofenceRef {
  id: string;
  speedLimitKmh?: number | undefined;
}
