import type { GpsFix, TopicSpec } from "@fleetstream/contracts";
import type { Prisma, PrismaClient } from "@fleetstream/db";

/** A database handle inside the batch transaction. */
export type Tx = Prisma.TransactionClient;
/** Either the client or a transaction: for reads at restore time. */
export type DbReader = PrismaClient | Tx;

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

/** What an operator made of one batch: records to publish and state/rows to write. */
export interface OperatorOutput {
  /** Published before the database transaction commits (at least once; ids make them idempotent). */
  records: OutputRecord[];
  /** Runs inside the batch's transaction, together with the partition checkpoint. */
  persist(tx: Tx): Promise<void>;
}

/**
 * A stateful step of the processor (geofence alerts, speed windows, …). State is kept per input
 * partition so that partitions can move between processor instances: the processor calls
 * `restore` before the first batch of a partition and whenever a batch does not continue where
 * the last one ended (a rebalance took the partition away and brought it back).
 */
export interface StreamOperator {
  readonly name: string;
  /** Topics this operator writes, created at start with the configured partitions. */
  topics(partitions: number): TopicSpec[];
  /** Loads this partition's state as of the last committed checkpoint, dropping anything in memory. */
  restore(partition: number, db: DbReader): Promise<void>;
  /** Applies one batch of one partition, in offset order. Must not do I/O: return it instead. */
  process(partition: number, fixes: readonly AcceptedFix[]): OperatorOutput;
  /** Optional lifecycle, e.g. a side consumer of reference data; called by the processor. */
  start?(): Promise<void>;
  stop?(): Promise<void>;
  /**
   * Optional periodic work that needs time to pass without input (speed windows: combine all
   * partitions and finalize when a partition is idle). May read and write `db` itself. The
   * processor calls it every `tickIntervalMs` (default 1000) while running, one tick at a time,
   * and handles its output like a batch's: publish the records, then run `persist` in a
   * transaction (no checkpoint: no input is consumed).
   */
  tick?(db: PrismaClient): Promise<OperatorOutput>;
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
