import { monitorEventLoopDelay } from "node:perf_hooks";
import { TOPICS, type TopicSpec } from "@fleetstream/contracts";
import { type Database, dropFixPartitionsBefore, ensureFixPartitions } from "@fleetstream/db";
import {
  type ConsumedRecord,
  type Consumer,
  deadLetterCopy,
  type EventLog,
  isRetriableKafkaError,
  type OutgoingRecord,
  type Producer,
  type RecordBatch,
  type TopicPartition,
} from "@fleetstream/eventlog";
import { backoffMs, type Logger, type Service } from "@fleetstream/service";
import { Registry } from "prom-client";
import { createProcessorMetrics, type ProcessorMetrics } from "./metrics";
import { checkpointStore, ReplayNeededError, replayNeededFrom } from "./pipeline/checkpoints";
import { classifyRecord } from "./pipeline/classify";
import {
  DEAD_LETTER_TABLE,
  type StoredDeadLetter,
  storeDeadLetters,
} from "./pipeline/dead-letters";
import type {
  AcceptedFix,
  CheckpointRecord,
  OperatorCheckpoint,
  OutputRecord,
  StreamOperator,
} from "./pipeline/operator";
import { createPositionsOperator } from "./positions/operator";

export interface ProcessorConfig {
  groupId: string;
  /** Partitions for the GPS topic and the topics keyed like it. */
  partitions: number;
  /** A partition with new input is checkpointed at least this often (default 1000 ms). */
  checkpointIntervalMs?: number;
  /** ... and as soon as this many records wait (default 25,000). */
  checkpointRecords?: number;
  /**
   * While a partition is more than checkpointRecords behind (a backlog), it is checkpointed this
   * often instead (default 2000 ms): fewer, larger checkpoints write each truck's state once for
   * more of its fixes; latency matters less while catching up.
   */
  backlogCheckpointIntervalMs?: number;
  /**
   * A partition's operator state is written (the keys changed since the last time) at most this
   * often (default 30,000 ms), with the checkpoint due then, and on stop or revoke. Checkpoints in
   * between store outputs only; a restore replays the input since the state's offset for state.
   */
  stateIntervalMs?: number;
  /** Most records per input batch (default 5,000). */
  maxBatchSize?: number;
  /**
   * Most records processed but not yet checkpointed, over all partitions (default 300,000):
   * above it fetching pauses until checkpoints catch up, so memory stays bounded when Kafka or
   * PostgreSQL is slower than the input.
   */
  maxInFlight?: number;
  /**
   * Fixes more than this ahead of the processor's clock are dead-lettered (default 10 minutes,
   * DEFAULT_MAX_EVENT_AHEAD_MS).
   */
  maxEventAheadMs?: number;
  /** Days of position_fixes to keep (whole daily partitions are dropped); 0 or absent keeps all. */
  retentionDays?: number;
}

/** How far ahead of the processor's clock a fix's event time may be, unless configured. */
export const DEFAULT_MAX_EVENT_AHEAD_MS = 10 * 60_000;

export interface ProcessorStats {
  consumed: number;
  /** Valid fixes processed (in the database once their checkpoint is written). */
  applied: number;
  deadLettered: number;
  published: number;
  /** Records skipped because the database already reflected them (redelivery after a restart). */
  alreadyApplied: number;
  checkpoints: number;
  /** Input records covered by written checkpoints. */
  checkpointed: number;
}

export interface Processor extends Service {
  stats(): ProcessorStats;
  /** Prometheus registry with the processor's metrics (and whatever the caller adds). */
  readonly registry: Registry;
  /** Readiness checks: the consumer runs, Kafka and the database answer. */
  health(): Record<"consumer" | "database" | "kafka", { ok: boolean; detail?: string }>;
}

/** Topics the processor reads or writes, with the configured partition count. */
export function processorTopics(partitions: number, operators: readonly StreamOperator[] = []) {
  const own: TopicSpec[] = [TOPICS.gpsFixes, TOPICS.gpsDeadLetter];
  return [...own, ...operators.flatMap((operator) => operator.topics(partitions))].map((spec) => ({
    ...spec,
    partitions,
  }));
}

/** Live outputs of a batch, sent at once; a checkpoint waits for them (and resends on failure). */
interface LiveSend {
  records: OutgoingRecordsByTopic;
  sent: Promise<unknown>;
}
type OutgoingRecordsByTopic = Map<string, OutgoingRecord[]>;

/** One input partition owned by this instance. */
interface PartitionTask {
  partition: number;
  /** Resolves once the partition's state is restored from its checkpoint. */
  ready: Promise<void>;
  /** Next offset the database reflects (undefined: never checkpointed by this group). */
  checkpoint: number | undefined;
  /** Next offset to process (undefined until the first batch of a new group). */
  next: number | undefined;
  /** Records processed since the last checkpoint was captured. */
  pending: number;
  /**
   * Records before this offset are replayed for state only: their outputs were stored by an
   * earlier checkpoint (the state snapshot is older than the checkpoint).
   */
  replayUntil: number;
  /** Keys whose operator state changed since the last state snapshot. */
  dirty: Set<string>;
  /**
   * While a state snapshot is being serialized (in slices, between other partitions' batches):
   * this partition's batches wait in `waiting`, so the snapshot stays as of its offset.
   */
  serializing: Promise<void> | undefined;
  waiting: RecordBatch[];
  lastSnapshotAt: number;
  /** Records of the partition after the last batch, when it was fetched. */
  lag: number;
  live: LiveSend[];
  writing: Promise<void> | undefined;
  /** Records the checkpoint being written covers. */
  writingRecords: number;
  lastCheckpointAt: number;
  /** Refused records too large for their dead-letter copy, kept at the next checkpoint. */
  deadLetters: StoredDeadLetter[];
  /** Seeks made to close a gap in a row (see applyBatch). */
  seeks: number;
  /** Changes when the partition's in-memory state is dropped or rebuilt: writes of an older
   * epoch no longer apply to it. */
  epoch: number;
}

/** A checkpoint of one partition, taken between two batches and written in the background. */
interface Captured {
  partition: number;
  epoch: number;
  from: number | undefined;
  to: number;
  records: number;
  live: LiveSend[];
  /** What each operator writes (its state maps are already serialized into stateRows). */
  operators: Pick<OperatorCheckpoint, "prepare" | "persist">[];
  /** Checkpoint-time records, some still to be encoded (writeOnce does it in slices); sent once. */
  outgoing: CheckpointRecord[];
  outgoingSent: boolean;
  /** A state snapshot: the offset it is as of, and a row per changed key (JSON, or undefined to
   * delete), complete once `serialized` resolves. */
  snapshot:
    | { offset: number; rows: Map<string, string | undefined>; serialized: Promise<void> }
    | undefined;
  deadLetters: StoredDeadLetter[];
  /** How long taking it blocked the process (operators' outputs, the partition's own state), ms. */
  captureMs: number;
  /** How long the partition's batches waited for the rest of the snapshot, ms. */
  serializeMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const yieldToEventLoop = () => new Promise((resolve) => setImmediate(resolve));

/** Longest a state snapshot's serialization runs before it lets other work in. */
const SNAPSHOT_SLICE_MS = 8;

/**
 * How far into its first state interval a partition starts, as a fraction of the interval spread
 * by the golden ratio: a process's partitions then snapshot their state at different moments
 * instead of all in one tick (serializing every truck's state at once stalled processing).
 */
function snapshotPhase(partition: number, intervalMs: number): number {
  return ((partition * 0.6180339887) % 1) * intervalMs;
}

/** The list of `topic`'s records in `grouped`, added empty if it has none yet. */
function topicList(grouped: OutgoingRecordsByTopic, topic: string): OutgoingRecord[] {
  let list = grouped.get(topic);
  if (!list) {
    list = [];
    grouped.set(topic, list);
  }
  return list;
}

function byTopic(records: readonly OutputRecord[]): OutgoingRecordsByTopic {
  const grouped: OutgoingRecordsByTopic = new Map();
  for (const { topic, key, value } of records) topicList(grouped, topic).push({ key, value });
  return grouped;
}

/**
 * Two producers, two broker connections: each runs one request at a time (see ARCHITECTURE.md),
 * so live outputs (positions, alerts, dead letters) never wait behind a checkpoint's bulk (speed
 * windows, late fixes) in the same request queue.
 */
interface Outputs {
  live: Producer;
  bulk: Producer;
}

/** Topics that go through the live producer. Each topic always goes through the same producer,
 * so its partitions keep the order records were sent in. */
const LIVE_TOPICS: ReadonlySet<string> = new Set([
  TOPICS.truckPositions.name,
  TOPICS.truckGeofenceAlerts.name,
  TOPICS.gpsDeadLetter.name,
]);
const producerFor = (out: Outputs, topic: string): Producer =>
  LIVE_TOPICS.has(topic) ? out.live : out.bulk;

/**
 * The stream processor: consumes GPS fixes, dead-letters invalid ones, and runs the stateful
 * operators (positions, geofence alerts, speed windows) on the rest, in memory. Per partition:
 *   1. each batch is applied in memory; its live outputs (positions, alerts, dead letters) are
 *      published at once;
 *   2. every checkpointIntervalMs (or checkpointRecords records) the partition is checkpointed
 *      in the background: its live outputs are awaited and its other outputs published, then ONE
 *      database transaction writes everything its input since the previous checkpoint produced
 *      (fixes, trucks, alerts, windows), the operators' changed state and the new checkpoint
 *      offset (a compare-and-set on the previous one); then that offset is committed to Kafka.
 * After a crash the partition is restored from its checkpoint and Kafka redelivers from the
 * committed offset (never after the checkpoint): records before the checkpoint are skipped, the
 * rest processed again, so database results are exact and topic records at worst repeated.
 * ARCHITECTURE.md "Checkpoints" has the argument.
 */
export function createProcessor(deps: {
  eventLog: EventLog;
  db: Database;
  logger: Logger;
  config: ProcessorConfig;
  /** Operators after the built-in positions operator (geofence alerts, speed windows, ...). */
  operators?: readonly StreamOperator[];
  /**
   * false: a lane without the built-in positions operator and without dead letters (refused
   * records are only counted), beside a lane that has them, in its own consumer group (see
   * composeProcessor, PROCESSOR_OPERATORS). Default true.
   */
  positions?: boolean;
  /** Called when the processor cannot go on (the consumer has stopped, nothing was committed). */
  onFatal: (error: unknown) => void;
  registry?: Registry;
  now?: () => number;
}): Processor {
  const { eventLog, db, logger, config, onFatal } = deps;
  const now = deps.now ?? Date.now;
  const positions = deps.positions === false ? undefined : createPositionsOperator({ now });
  const operators: StreamOperator[] = [
    ...(positions ? [positions] : []),
    ...(deps.operators ?? []),
  ];
  if (operators.length === 0) throw new Error("a processor needs at least one operator");
  const checkpointIntervalMs = config.checkpointIntervalMs ?? 1_000;
  const checkpointRecords = config.checkpointRecords ?? 25_000;
  const maxInFlight = config.maxInFlight ?? 300_000;
  const backlogCheckpointIntervalMs = config.backlogCheckpointIntervalMs ?? 2_000;
  const stateIntervalMs = config.stateIntervalMs ?? 30_000;
  const maxEventAheadMs = config.maxEventAheadMs ?? DEFAULT_MAX_EVENT_AHEAD_MS;
  const topic = TOPICS.gpsFixes.name;
  const store = checkpointStore(config.groupId, topic);
  const registry = deps.registry ?? new Registry();
  const metrics: ProcessorMetrics = createProcessorMetrics(registry);
  const stats: ProcessorStats = {
    consumed: 0,
    applied: 0,
    deadLettered: 0,
    published: 0,
    alreadyApplied: 0,
    checkpoints: 0,
    checkpointed: 0,
  };
  const tasks = new Map<number, PartitionTask>();
  /** Partitions the group gave this instance (a batch of another one is stale: skipped). */
  const assigned = new Set<number>();
  let lastLine = { at: now(), stats: { ...stats } };
  // How long timers and I/O callbacks (checkpoint round trips) waited behind batch work.
  const loopDelay = monitorEventLoopDelay({ resolution: 20 });
  const health = {
    consumer: { ok: false, detail: "not started" } as { ok: boolean; detail?: string },
    database: { ok: true } as { ok: boolean; detail?: string },
    kafka: { ok: true } as { ok: boolean; detail?: string },
  };
  let producers: Outputs | undefined;
  let consumer: Consumer | undefined;
  let stopping = false;
  let timers: { stop(): Promise<void> } | undefined;

  function setHealth(name: keyof typeof health, error: unknown | undefined): void {
    const before = health[name].ok;
    health[name] = error === undefined ? { ok: true } : { ok: false, detail: String(error) };
    if (before && error !== undefined)
      logger.warn({ err: error, [name]: "down" }, `${name} failing`);
    if (!before && error === undefined && name !== "consumer") logger.info(`${name} back`);
  }

  async function publish(out: Outputs, grouped: OutgoingRecordsByTopic): Promise<void> {
    for (const [name, records] of grouped) {
      if (records.length === 0) continue;
      await producerFor(out, name).send(name, records);
      stats.published += records.length;
      metrics.published.inc({ topic: name }, records.length);
    }
  }

  // ---- partitions: restore, drop ----

  function newTask(partition: number): PartitionTask {
    const task: PartitionTask = {
      partition,
      ready: Promise.resolve(),
      checkpoint: undefined,
      next: undefined,
      pending: 0,
      replayUntil: 0,
      dirty: new Set(),
      serializing: undefined,
      waiting: [],
      lastSnapshotAt: now(),
      lag: 0,
      live: [],
      deadLetters: [],
      writing: undefined,
      writingRecords: 0,
      lastCheckpointAt: now(),
      seeks: 0,
      epoch: 0,
    };
    task.ready = restore(task);
    return task;
  }

  /** Loads the partition's checkpoint and state, retrying while the database is unreachable. */
  async function restore(task: PartitionTask): Promise<void> {
    const epoch = task.epoch;
    for (let attempt = 1; ; attempt++) {
      try {
        const stored = await store.load(db.sql, task.partition);
        // No checkpoint yet: nothing is applied, so the input starts where the consumer group
        // stands (its committed offset); a group without one starts where Kafka starts it
        // (its first batch: the earliest offset, as the consumer is configured).
        const start = stored.nextOffset ?? (await committedOffset(task.partition));
        if (task.epoch !== epoch) return;
        for (const operator of operators)
          operator.restore(task.partition, stored.state.get(operator.name) ?? new Map());
        task.checkpoint = stored.nextOffset;
        // The state is as of stateOffset: the input from there to the checkpoint is replayed for
        // state only (replayBatch).
        task.next = stored.stateOffset ?? start;
        task.replayUntil = stored.nextOffset ?? 0;
        task.dirty = new Set();
        task.lastSnapshotAt = now() - snapshotPhase(task.partition, stateIntervalMs);
        task.pending = 0;
        task.live = [];
        task.deadLetters = [];
        setHealth("database", undefined);
        logger.info(
          { partition: task.partition, from: stored.nextOffset, stateFrom: stored.stateOffset },
          "partition restored",
        );
        return;
      } catch (error) {
        setHealth("database", error);
        if (stopping || task.epoch !== epoch) return;
        await sleep(backoffMs(attempt));
      }
    }
  }

  async function committedOffset(partition: number): Promise<number | undefined> {
    return (await eventLog.committed(config.groupId, topic)).get(partition);
  }

  /** A task is current while it is the one in `tasks`; a dropped one must not touch state. */
  const isCurrent = (task: PartitionTask): boolean => tasks.get(task.partition) === task;

  function drop(task: PartitionTask): void {
    task.epoch++;
    for (const operator of operators) operator.drop(task.partition);
    tasks.delete(task.partition);
    metrics.lag.remove({ partition: String(task.partition) });
    metrics.checkpointLag.remove({ partition: String(task.partition) });
  }

  /** The partition's state can no longer be trusted: reload it and process the input again. */
  function replay(task: PartitionTask, reason: unknown): void {
    if (!isCurrent(task)) return;
    logger.warn(
      { partition: task.partition, reason: String(reason) },
      "restoring the partition from its checkpoint and processing its input again",
    );
    metrics.checkpoints.inc({ result: "replayed" });
    task.epoch++;
    for (const operator of operators) operator.drop(task.partition);
    task.serializing = undefined; // its snapshot is abandoned
    task.waiting = []; // fetched again from the checkpoint
    task.live = [];
    task.deadLetters = [];
    task.pending = 0;
    task.ready = restore(task).then(() => {
      if (task.next !== undefined) consumer?.seek(topic, task.partition, task.next);
    });
  }

  // ---- batches ----

  async function handleBatch(batch: RecordBatch, out: Outputs): Promise<void> {
    // Fetched before a rebalance took the partition away: its new owner processes it. (A batch
    // that came before its assignment callback is fetched again: the task seeks back to its
    // checkpoint.)
    if (!assigned.has(batch.partition)) return;
    let task = tasks.get(batch.partition);
    if (!task) {
      // Assigned, and its task dropped by a revoke-and-assign in between: start it again.
      task = newTask(batch.partition);
      tasks.set(batch.partition, task);
    }
    await task.ready;
    if (tasks.get(batch.partition) !== task) return;
    if (task.serializing) task.waiting.push(batch);
    else processBatch(task, batch, out);
    applyBackpressure();
  }

  function processBatch(task: PartitionTask, batch: RecordBatch, out: Outputs): void {
    const started = performance.now();
    applyBatch(task, batch, out);
    metrics.batchSeconds.observe((performance.now() - started) / 1000);
    metrics.batchRecords.observe(batch.records.length);
    maybeCheckpoint(task, out);
  }

  /** The batches that waited for a snapshot, in order (until the next snapshot, if one starts). */
  function applyWaiting(task: PartitionTask, out: Outputs): void {
    while (!task.serializing && isCurrent(task)) {
      const batch = task.waiting.shift();
      if (!batch) break;
      processBatch(task, batch, out);
    }
    applyBackpressure();
  }

  function applyBatch(task: PartitionTask, batch: RecordBatch, out: Outputs): void {
    const first = batch.records[0];
    const last = batch.records.at(-1);
    if (!first || !last) return;
    stats.consumed += batch.records.length;
    metrics.records.inc({ outcome: "consumed" }, batch.records.length);
    task.next ??= first.offset;
    if (first.offset > task.next) {
      // Kafka delivers from after the checkpoint (the group's offsets were moved by hand): go
      // back to the checkpoint. If it cannot deliver that (deleted by retention), go on.
      if (task.seeks < 3) {
        task.seeks++;
        consumer?.seek(topic, task.partition, task.next);
        return;
      }
      logger.warn(
        { partition: task.partition, expected: task.next, got: first.offset },
        "records between the checkpoint and the first available offset are gone; continuing",
      );
      task.next = first.offset;
    }
    task.seeks = 0;
    const from = task.next;
    let records =
      from > first.offset ? batch.records.filter((r) => r.offset >= from) : batch.records;
    stats.alreadyApplied += batch.records.length - records.length;
    metrics.records.inc({ outcome: "skipped" }, batch.records.length - records.length);
    if (records.length > 0 && (records[0] as ConsumedRecord).offset < task.replayUntil) {
      const until = task.replayUntil;
      const cut = records.findIndex((r) => r.offset >= until);
      replayBatch(task, cut === -1 ? records : records.slice(0, cut));
      records = cut === -1 ? [] : records.slice(cut);
    }
    if (records.length === 0) return;

    const at = now();
    const { accepted, rejected } = classifyBatch(records, at);
    for (const { fix } of accepted)
      metrics.eventToApplied.observe(Math.max(0, at - fix.eventTime) / 1000);
    if (batch.highWatermark !== undefined)
      task.lag = Math.max(0, batch.highWatermark - ((records.at(-1) as ConsumedRecord).offset + 1));
    const context = { now: at, lag: task.lag };
    const live: OutputRecord[] = [];
    for (const operator of operators)
      for (const record of operator.process(task.partition, accepted, context)) live.push(record);
    const grouped = byTopic(live);
    // The positions lane owns dead letters: another lane on the same input would repeat them.
    if (rejected.length > 0 && positions) {
      const failedAt = new Date(at);
      grouped.set(
        TOPICS.gpsDeadLetter.name,
        rejected.map(({ record, reason }) => {
          const copy = deadLetterCopy(record, reason, failedAt, DEAD_LETTER_TABLE);
          if (copy.oversized) task.deadLetters.push({ record, reason, failedAt });
          return copy.record;
        }),
      );
      logger.warn({ partition: task.partition, count: rejected.length }, "dead-lettered records");
    }
    if (grouped.size > 0) {
      const sent = publish(out, grouped);
      sent.catch(() => {}); // awaited (and retried) by the checkpoint
      task.live.push({ records: grouped, sent });
    }
    task.next = (records.at(-1) as ConsumedRecord).offset + 1;
    task.pending += records.length;
    stats.applied += accepted.length;
    metrics.records.inc({ outcome: "applied" }, accepted.length);
    if (positions) stats.deadLettered += rejected.length;
    metrics.records.inc({ outcome: positions ? "dead_lettered" : "refused" }, rejected.length);
  }

  /** Valid fixes of a batch, and the refused records with their reasons. */
  function classifyBatch(records: readonly ConsumedRecord[], at: number) {
    const accepted: AcceptedFix[] = [];
    const rejected: { record: ConsumedRecord; reason: string }[] = [];
    const latest = { eventTime: at + maxEventAheadMs, setting: `${maxEventAheadMs} ms` };
    for (const record of records) {
      const result = classifyRecord(record, latest);
      if (result.kind === "ok")
        accepted.push({ fix: result.fix, partition: record.partition, offset: record.offset });
      else rejected.push({ record, reason: result.reason });
    }
    return { accepted, rejected };
  }

  /**
   * Records an earlier checkpoint covered, after a restore from an older state snapshot: they go
   * through the operators again to rebuild the state as of the checkpoint, and what they produce
   * is dropped (it is stored and published already; the operators are deterministic).
   */
  function replayBatch(task: PartitionTask, records: readonly ConsumedRecord[]): void {
    const at = now();
    // Refused records were dead-lettered when they were first processed.
    const { accepted } = classifyBatch(records, at);
    const context = { now: at, lag: task.lag };
    for (const operator of operators) operator.process(task.partition, accepted, context);
    for (const operator of operators)
      for (const key of operator.checkpoint(task.partition, context).changed) task.dirty.add(key);
    task.next = (records.at(-1) as ConsumedRecord).offset + 1;
    stats.alreadyApplied += records.length;
    metrics.records.inc({ outcome: "replayed" }, records.length);
  }

  // ---- checkpoints ----

  function maybeCheckpoint(task: PartitionTask, out: Outputs, force = false): void {
    if (task.next === undefined || task.writing || !isCurrent(task)) return;
    // Nothing new to store; on stop or revoke still the state, so the next owner replays nothing.
    if (task.pending === 0 && !(force && task.dirty.size > 0 && task.checkpoint !== undefined))
      return;
    const interval =
      task.lag > checkpointRecords ? backlogCheckpointIntervalMs : checkpointIntervalMs;
    const due = now() - task.lastCheckpointAt >= interval;
    if (!force && !due && task.pending < checkpointRecords) return;
    // The first checkpoint of a partition carries the state too: it says where the state starts.
    const snapshot =
      force || task.checkpoint === undefined || now() - task.lastSnapshotAt >= stateIntervalMs;
    const captured = capture(task, snapshot);
    if (captured.snapshot) {
      const began = performance.now();
      const serializing = captured.snapshot.serialized
        .catch(() => {}) // abandoned: the partition was dropped or is being rebuilt
        .then(() => {
          captured.serializeMs = Math.round(performance.now() - began);
          if (task.serializing !== serializing) return;
          task.serializing = undefined;
          applyWaiting(task, out);
        });
      task.serializing = serializing;
    }
    const writing = writeCheckpoint(task, captured, out);
    task.writing = writing;
    task.writingRecords = captured.records;
    void writing.finally(() => {
      if (task.writing !== writing) return;
      task.writing = undefined;
      task.writingRecords = 0;
      applyBackpressure();
      maybeCheckpoint(task, out);
    });
  }

  /**
   * Pauses fetching while too many processed records wait for their checkpoint (Kafka or
   * PostgreSQL slower than the input), resumes once they are under half of it.
   */
  let pausedAll = false;
  function applyBackpressure(): void {
    let inFlight = 0;
    for (const task of tasks.values()) {
      inFlight += task.pending + task.writingRecords;
      for (const batch of task.waiting) inFlight += batch.records.length;
    }
    const pause = pausedAll ? inFlight >= maxInFlight / 2 : inFlight >= maxInFlight;
    if (pause === pausedAll) return;
    pausedAll = pause;
    for (const task of tasks.values()) {
      if (pause) consumer?.pause(topic, task.partition);
      else consumer?.resume(topic, task.partition);
    }
    logger.debug({ inFlight, paused: pause }, pause ? "fetching paused" : "fetching resumed");
  }

  /**
   * Takes the partition's outputs since the last checkpoint and, with `snapshot`, the state of
   * every key that changed since the last snapshot: the partition's own state ("") at once, the
   * rest in slices (serializeSlices) while the partition's batches wait.
   */
  function capture(task: PartitionTask, snapshot: boolean): Captured {
    const began = performance.now();
    const context = { now: now(), lag: task.lag };
    const parts = operators.map((operator) => operator.checkpoint(task.partition, context));
    for (const part of parts) for (const key of part.changed) task.dirty.add(key);
    const next = task.next as number;
    let state: Captured["snapshot"];
    if (snapshot) {
      const rows = new Map<string, string | undefined>();
      // The partition's own state changes with any fix or tick: taken now. A truck's changes
      // only with the partition's batches, which wait for the rest.
      if (task.dirty.delete("")) rows.set("", stateRow(task.partition, ""));
      const keys = [...task.dirty];
      state = { offset: next, rows, serialized: serializeSlices(task, keys, rows) };
      task.dirty = new Set();
      // A partition's first snapshot comes at its first checkpoint, the same moment for all of
      // a fresh process's partitions: from there on they keep their phases apart.
      task.lastSnapshotAt =
        task.checkpoint === undefined
          ? now() - snapshotPhase(task.partition, stateIntervalMs)
          : now();
    }
    const captured: Captured = {
      partition: task.partition,
      epoch: task.epoch,
      from: task.checkpoint,
      // Mid-replay the state is behind the checkpoint, which never moves back.
      to: Math.max(next, task.checkpoint ?? next),
      records: task.pending,
      live: task.live,
      operators: parts.map(({ prepare, persist }) => ({ prepare, persist })),
      outgoing: parts.flatMap((p) => p.records),
      outgoingSent: false,
      snapshot: state,
      deadLetters: task.deadLetters,
      captureMs: Math.round(performance.now() - began),
    };
    task.deadLetters = [];
    task.live = [];
    task.pending = 0;
    task.lastCheckpointAt = now();
    return captured;
  }

  /** Every operator's state of one key, as one JSON row (undefined: none left, delete it). */
  function stateRow(partition: number, key: string): string | undefined {
    const row: Record<string, unknown> = {};
    let empty = true;
    for (const operator of operators) {
      const value = operator.stateOf(partition, key);
      if (value === undefined) continue;
      row[operator.name] = value;
      empty = false;
    }
    return empty ? undefined : JSON.stringify(row);
  }

  /**
   * Serializes `keys` into `rows` in slices of SNAPSHOT_SLICE_MS, yielding to the event loop in
   * between: a snapshot of 10,000 trucks took 70–280 ms in one piece, during which no partition
   * was processed and no send or database reply was handled. Rejects if the partition's state
   * is dropped or rebuilt meanwhile (its checkpoint is then not written).
   */
  async function serializeSlices(
    task: PartitionTask,
    keys: readonly string[],
    rows: Map<string, string | undefined>,
  ): Promise<void> {
    const epoch = task.epoch;
    let i = 0;
    for (;;) {
      const sliceEnd = performance.now() + SNAPSHOT_SLICE_MS;
      for (; i < keys.length && performance.now() < sliceEnd; i++) {
        const key = keys[i] as string;
        rows.set(key, stateRow(task.partition, key));
      }
      if (i >= keys.length) return;
      await yieldToEventLoop();
      if (task.epoch !== epoch)
        throw new Error(`partition ${task.partition} changed hands while its state was saved`);
    }
  }

  /**
   * The checkpoint's records with their values, by topic, encoded in slices of SNAPSHOT_SLICE_MS
   * with a turn of the event loop in between (the records are results, not live state: nothing
   * waits).
   */
  async function encodeSlices(
    records: readonly CheckpointRecord[],
  ): Promise<OutgoingRecordsByTopic> {
    const grouped: OutgoingRecordsByTopic = new Map();
    let sliceEnd = performance.now() + SNAPSHOT_SLICE_MS;
    for (const record of records) {
      const list = topicList(grouped, record.topic);
      if (!("encode" in record)) {
        list.push({ key: record.key, value: record.value });
        continue;
      }
      for (let i = 0; i < record.length; i++) {
        list.push({ key: record.key(i), value: record.encode(i) });
        if (i % 256 === 255 && performance.now() > sliceEnd) {
          await yieldToEventLoop();
          sliceEnd = performance.now() + SNAPSHOT_SLICE_MS;
        }
      }
    }
    return grouped;
  }

  /** Writes a captured checkpoint, retrying (same data) with backoff while it fails. */
  async function writeCheckpoint(task: PartitionTask, c: Captured, out: Outputs): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      if (task.epoch !== c.epoch) return;
      const started = performance.now();
      try {
        await writeOnce(c, out);
        metrics.checkpointSeconds.observe((performance.now() - started) / 1000);
        break;
      } catch (error) {
        if (task.epoch !== c.epoch) return;
        if (error instanceof ReplayNeededError) {
          replay(task, error); // unless the partition was dropped meanwhile
          return;
        }
        metrics.checkpoints.inc({ result: "retried" });
        // A day partition may have been dropped meanwhile (retention): make sure again.
        positions?.knownDays.clear();
        // Logged once per outage by setHealth; each partition's retries only at debug level.
        setHealth(isRetriableKafkaError(error) ? "kafka" : "database", error);
        logger.debug(
          { partition: c.partition, attempt, err: error },
          "checkpoint failed; trying again",
        );
        if (stopping && attempt >= 3) return; // what it covers is processed again next start
        await sleep(backoffMs(attempt));
      }
    }
    setHealth("database", undefined);
    task.checkpoint = c.to;
    stats.checkpoints++;
    stats.checkpointed += c.records;
    metrics.checkpoints.inc({ result: "ok" });
    metrics.checkpointRows.observe(c.records);
    if (!c.snapshot) return;
    // Kafka resumes the group here after a restart: where the restored state needs its input.
    await consumer?.commit(topic, c.partition, c.snapshot.offset).catch((error: unknown) => {
      logger.debug({ err: error, partition: c.partition }, "offset commit failed");
    });
  }

  async function writeOnce(c: Captured, out: Outputs): Promise<void> {
    const started = performance.now();
    // Topics before the database: every record is published before its checkpoint commits.
    // Awaited before the transaction opens, so no transaction (and no lock) waits on Kafka.
    for (const live of c.live) {
      try {
        await live.sent;
      } catch {
        live.sent = publish(out, live.records);
        await live.sent;
      }
    }
    if (!c.outgoingSent) {
      await publish(out, await encodeSlices(c.outgoing));
      c.outgoingSent = true;
    }
    const published = performance.now();
    await c.snapshot?.serialized;
    for (const operator of c.operators) await operator.prepare?.(db.sql);
    const prepared = performance.now();
    // One transaction in one round trip (a batch: statements raise rather than return).
    await db.sql
      .batch(async (tx) => {
        // The compare-and-set first: a stale checkpoint fails before writing anything.
        await store.advance(tx, c.partition, c.from, c.to, c.snapshot?.offset);
        if (c.snapshot) await store.saveState(tx, c.partition, c.snapshot.rows);
        await storeDeadLetters(tx, c.deadLetters);
        // Operators last: the speed windows (the last one) take the combiner's shared lock, held
        // from there to the commit, so as short as possible.
        for (const operator of c.operators) await operator.persist(tx);
      })
      .catch((error: unknown) => {
        throw replayNeededFrom(error) ?? error;
      });
    logger.debug(
      {
        partition: c.partition,
        from: c.from,
        to: c.to,
        records: c.records,
        stateRows: c.snapshot?.rows.size,
        captureMs: c.captureMs,
        serializeMs: c.serializeMs,
        publishMs: Math.round(published - started),
        prepareMs: Math.round(prepared - published),
        transactionMs: Math.round(performance.now() - prepared),
      },
      "checkpoint written",
    );
  }

  /** Checkpoints every partition that has input waiting (stop, revoke). */
  async function flush(task: PartitionTask, out: Outputs): Promise<void> {
    await task.ready;
    await task.writing;
    maybeCheckpoint(task, out, true);
    await task.writing;
  }

  // ---- lifecycle ----

  return {
    registry,
    stats: () => ({ ...stats }),
    health: () => ({ ...health }),
    async start() {
      await eventLog.ensureTopics(processorTopics(config.partitions, operators));
      for (const operator of operators) await operator.start?.();
      const out: Outputs = { live: eventLog.producer(), bulk: eventLog.producer() };
      producers = out;
      // One round of ticks first: the windows operator learns the processor watermark. And the
      // day partitions around now exist before the first checkpoint.
      await runTicksOnce(operators, out, db, logger);
      await applyRetention();
      const running = eventLog.consumer({
        groupId: config.groupId,
        topics: [topic],
        startFrom: "earliest",
        commits: "manual",
        maxBatchSize: config.maxBatchSize ?? 5_000,
        eachBatch: (batch) => handleBatch(batch, out),
        onAssigned: (partitions: TopicPartition[]) => {
          for (const { partition } of partitions) {
            assigned.add(partition);
            if (!tasks.has(partition)) tasks.set(partition, newTask(partition));
            if (pausedAll) running.pause(topic, partition);
          }
          metrics.partitions.set(tasks.size);
          logger.info({ partitions: partitions.map((p) => p.partition) }, "partitions assigned");
        },
        onRevoked: async (partitions: TopicPartition[]) => {
          for (const { partition } of partitions) {
            assigned.delete(partition);
            const task = tasks.get(partition);
            if (!task) continue;
            // Stopping: write what is processed, so the next owner starts from there. A
            // rebalance: the partition may already be someone else's; drop it (the next owner
            // processes the input after our last checkpoint again).
            if (stopping) await flush(task, out);
            drop(task);
          }
          metrics.partitions.set(tasks.size);
          logger.info({ partitions: partitions.map((p) => p.partition) }, "partitions revoked");
        },
      });
      consumer = running;
      running.failed.catch((error: unknown) => {
        setHealth("consumer", error);
        logger.fatal({ err: error }, "processing failed; stopped");
        onFatal(error);
      });
      await running.start();
      setHealth("consumer", undefined);
      loopDelay.enable();
      timers = startTimers({
        every: Math.max(50, Math.min(250, checkpointIntervalMs / 4)),
        onCheck: () => {
          for (const task of tasks.values()) maybeCheckpoint(task, out);
        },
        operators,
        out,
        db,
        logger,
        observe: () => observe(),
        retention: () => applyRetention(),
      });
      logger.info(
        { groupId: config.groupId, partitions: config.partitions, checkpointIntervalMs },
        "processor started",
      );
    },
    async stop() {
      stopping = true;
      loopDelay.disable();
      await timers?.stop();
      await consumer?.stop();
      for (const operator of operators) await operator.stop?.();
      await producers?.live.close();
      await producers?.bulk.close();
      health.consumer = { ok: false, detail: "stopped" };
      logger.info(stats, "processor stopped");
    },
  };

  /**
   * Hourly (any instance): creates the daily partitions of position_fixes around now ahead of
   * time, so checkpoints rarely need DDL (which would queue behind their inserts), and drops the
   * ones past the retention.
   */
  async function applyRetention(): Promise<void> {
    if (!positions) return;
    const at = now();
    const ahead = Array.from({ length: 10 }, (_, i) => at + (i - 2) * 86_400_000);
    try {
      await ensureFixPartitions(db.sql, ahead);
      for (const day of ahead) positions.knownDays.add(Math.floor(day / 86_400_000) * 86_400_000);
    } catch (error) {
      logger.warn(
        { err: error },
        "creating position_fixes partitions ahead failed; trying again in an hour",
      );
    }
    const days = config.retentionDays ?? 0;
    if (days <= 0) return;
    try {
      const dropped = await dropFixPartitionsBefore(db.sql, now() - days * 86_400_000);
      if (dropped.length > 0) {
        positions.knownDays.clear();
        logger.info(
          { days: dropped.map((d) => new Date(d).toISOString().slice(0, 10)) },
          "dropped position_fixes partitions past the retention",
        );
      }
    } catch (error) {
      logger.warn({ err: error }, "retention failed; trying again in an hour");
    }
  }

  /** One line every 30 s while running: rates since the last line, lag, memory. */
  function statsLine(lag: number): void {
    const at = now();
    const seconds = (at - lastLine.at) / 1000;
    if (seconds < 30) return;
    const rate = (key: keyof ProcessorStats) =>
      Math.round((stats[key] - lastLine.stats[key]) / seconds);
    const memory = process.memoryUsage();
    logger.info(
      {
        consumedPerS: rate("consumed"),
        appliedPerS: rate("applied"),
        deadLetteredPerS: rate("deadLettered"),
        checkpointedPerS: rate("checkpointed"),
        publishedPerS: rate("published"),
        lag,
        partitions: [...tasks.keys()],
        heapMb: Math.round(memory.heapUsed / 2 ** 20),
        rssMb: Math.round(memory.rss / 2 ** 20),
        eventLoopDelayP99Ms: Math.round(loopDelay.percentile(99) / 1e6),
        eventLoopDelayMaxMs: Math.round(loopDelay.max / 1e6),
      },
      "processor stats",
    );
    loopDelay.reset();
    lastLine = { at, stats: { ...stats } };
  }

  /** Lag, state sizes and a Kafka/database ping every 5 s; the stats line every 30 s. */
  async function observe(): Promise<void> {
    let lag = 0;
    try {
      const ends = await eventLog.offsets(topic);
      setHealth("kafka", undefined);
      for (const { partition, high } of ends) {
        const task = tasks.get(partition);
        if (!task) continue;
        metrics.lag.set({ partition: String(partition) }, high - (task.next ?? high));
        lag += high - (task.next ?? high);
        metrics.checkpointLag.set(
          { partition: String(partition) },
          high - (task.checkpoint ?? high),
        );
      }
    } catch (error) {
      setHealth("kafka", error);
    }
    try {
      await db.sql.query("SELECT 1");
      if (!health.database.ok && [...tasks.values()].every((t) => !t.writing))
        setHealth("database", undefined);
    } catch (error) {
      setHealth("database", error);
    }
    for (const operator of operators)
      for (const [kind, value] of Object.entries(operator.stateSize?.() ?? {}))
        metrics.stateEntries.set({ operator: operator.name, kind }, value);
    statsLine(lag);
  }
}

/**
 * Calls each operator's `tick` once: publishes its records, then runs its persist in a
 * transaction (no checkpoint: ticks consume no input). A failed tick is logged.
 */
async function runTicksOnce(
  operators: readonly StreamOperator[],
  out: Outputs,
  db: Database,
  logger: Logger,
  isStopped: () => boolean = () => false,
  /** Operators whose last tick failed: a failure is logged when it starts and when it ends. */
  failing = new Set<string>(),
): Promise<void> {
  for (const operator of operators) {
    if (!operator.tick || isStopped()) continue;
    try {
      const output = await operator.tick(db);
      for (const [name, records] of byTopic(output.records))
        await producerFor(out, name).send(name, records);
      await db.sql.transaction((tx) => output.persist(tx));
      if (failing.delete(operator.name))
        logger.info({ operator: operator.name }, "operator ticks work again");
    } catch (error) {
      if (failing.has(operator.name)) continue;
      failing.add(operator.name);
      logger.warn(
        { err: error, operator: operator.name },
        "operator tick failed; trying again every tick",
      );
    }
  }
}

/**
 * The processor's timers: checkpoint checks every `every` ms, operator ticks at the smallest
 * tickIntervalMs (one at a time), metrics every 5 s; `stop` waits for a tick in progress.
 */
function startTimers(options: {
  every: number;
  onCheck: () => void;
  operators: readonly StreamOperator[];
  out: Outputs;
  db: Database;
  logger: Logger;
  observe: () => Promise<void>;
  retention: () => Promise<void>;
}): { stop(): Promise<void> } {
  const { operators, out, db, logger } = options;
  let stopped = false;
  const check = setInterval(options.onCheck, options.every);
  const ticking = operators.filter((operator) => operator.tick);
  const tickEvery = Math.min(...ticking.map((o) => o.tickIntervalMs ?? 1_000), 60_000);
  let tickTimer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const failing = new Set<string>();
  const scheduleTick = () => {
    if (stopped || ticking.length === 0) return;
    tickTimer = setTimeout(() => {
      running = runTicksOnce(operators, out, db, logger, () => stopped, failing).finally(
        scheduleTick,
      );
    }, tickEvery);
  };
  scheduleTick();
  let observing: Promise<void> = Promise.resolve();
  const observeTimer = setInterval(() => {
    observing = options.observe();
  }, 5_000);
  observing = options.observe();
  let retaining: Promise<void> = Promise.resolve();
  const retentionTimer = setInterval(() => {
    retaining = options.retention();
  }, 3_600_000);
  return {
    async stop() {
      stopped = true;
      clearInterval(check);
      clearInterval(observeTimer);
      clearInterval(retentionTimer);
      await retaining;
      clearTimeout(tickTimer);
      await running;
      await observing;
    },
  };
}
