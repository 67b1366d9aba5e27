import { assertionKind, type Sql, type SqlTx, sqlJsonArray, sqlTextArray } from "@fleetstream/db";

/**
 * A checkpoint that must not be written as captured: its transaction is rolled back, and the
 * processor restores the partition from its last checkpoint and processes the input after it
 * again (instead of retrying the same write, as it does for connection errors).
 */
export class ReplayNeededError extends Error {
  override name = "ReplayNeededError";
}

/**
 * Another processor instance applied this partition since we restored it (the partition moved
 * while a checkpoint of ours was being written).
 */
export class StaleCheckpointError extends ReplayNeededError {
  override name = "StaleCheckpointError";
}

/** A fix would add to a fleet/geofence window the combiner finalized meanwhile (speed windows). */
export class ScopeWindowFinalizedError extends ReplayNeededError {
  override name = "ScopeWindowFinalizedError";
}

/** A partition as of its last checkpoint: the next offset to apply and the operators' state. */
export interface StoredPartition {
  /** undefined: this group never checkpointed the partition (start wherever Kafka starts). */
  nextOffset: number | undefined;
  /**
   * The offset `state` is as of (at or before nextOffset): the input from here to nextOffset is
   * processed again to rebuild the state, its outputs already stored.
   */
  stateOffset: number | undefined;
  /** Per operator name, its state per key. */
  state: Map<string, Map<string, unknown>>;
}

/**
 * The processor's checkpoints in PostgreSQL: per (group, topic, partition) the next offset to
 * apply (processor_checkpoints), written in one transaction with the outputs it covers, and now
 * and then a snapshot of the operators' state per key (processor_state) with the offset it is as
 * of (state_offset). Advancing is a compare-and-set on the offset this
 * instance restored, so two instances can never both apply a partition: the database is the
 * fence, not the consumer group.
 */
export function checkpointStore(groupId: string, topic: string) {
  return {
    async load(sql: Sql, partition: number): Promise<StoredPartition> {
      const [offsets, rows] = await Promise.all([
        sql.query<{ next_offset: string | number; state_offset: string | number | null }>(
          `SELECT next_offset, state_offset FROM processor_checkpoints
           WHERE group_id = $1 AND topic = $2 AND partition = $3`,
          [groupId, topic, partition],
        ),
        sql.query<{ key: string; state: string }>(
          "SELECT key, state FROM processor_state WHERE group_id = $1 AND partition = $2",
          [groupId, partition],
        ),
      ]);
      const state = new Map<string, Map<string, unknown>>();
      for (const { key, state: text } of rows) {
        const parts = JSON.parse(text) as Record<string, unknown>;
        for (const [operator, value] of Object.entries(parts)) {
          let byKey = state.get(operator);
          if (!byKey) {
            byKey = new Map();
            state.set(operator, byKey);
          }
          byKey.set(key, value);
        }
      }
      const first = offsets[0];
      const nextOffset = first === undefined ? undefined : Number(first.next_offset);
      const stateOffset =
        first?.state_offset === null || first === undefined
          ? nextOffset
          : Number(first.state_offset);
      return { nextOffset, stateOffset, state };
    },

    /** Upserts changed state rows (JSON text) and deletes emptied ones. */
    async saveState(
      tx: SqlTx,
      partition: number,
      rows: ReadonlyMap<string, string | undefined>,
    ): Promise<void> {
      const keys: string[] = [];
      const states: string[] = [];
      const gone: string[] = [];
      for (const [key, state] of rows) {
        if (state === undefined) gone.push(key);
        else {
          keys.push(key);
          states.push(state);
        }
      }
      if (keys.length > 0)
        await tx.query(
          `INSERT INTO processor_state (group_id, partition, key, state)
           SELECT $1, $2, k, s::text
           FROM ROWS FROM (unnest($3::text[]), json_array_elements($4::json)) AS u(k, s)
           ON CONFLICT (group_id, partition, key) DO UPDATE SET state = excluded.state`,
          [groupId, partition, sqlTextArray(keys), sqlJsonArray(states)],
        );
      if (gone.length > 0)
        await tx.query(
          "DELETE FROM processor_state WHERE group_id = $1 AND partition = $2 AND key = ANY($3::text[])",
          [groupId, partition, sqlTextArray(gone)],
        );
    },

    /**
     * Moves the checkpoint from `from` to `to` (and the state's offset to `stateOffset` when the
     * checkpoint carries a state snapshot; a partition's first checkpoint must). If it is not at
     * `from` the statement raises (fleetstream_assert, kind "stale-checkpoint": see
     * replayNeededFrom), so it works in a batch, whose results are not read.
     */
    async advance(
      tx: SqlTx,
      partition: number,
      from: number | undefined,
      to: number,
      stateOffset?: number,
    ): Promise<void> {
      const stale = `partition ${partition} of ${topic} is no longer at offset ${from ?? "(none)"} for group ${groupId}`;
      await tx.query(
        from === undefined
          ? `WITH moved AS (
               INSERT INTO processor_checkpoints (group_id, topic, partition, next_offset,
                 state_offset, updated_at)
               VALUES ($1, $2, $3, $4, $5, now()) ON CONFLICT DO NOTHING RETURNING 1)
             SELECT fleetstream_assert(count(*) = 1, $6, 'stale-checkpoint') FROM moved`
          : `WITH moved AS (
               UPDATE processor_checkpoints SET next_offset = $4,
                 state_offset = coalesce($5, state_offset, next_offset), updated_at = now()
               WHERE group_id = $1 AND topic = $2 AND partition = $3 AND next_offset = $7
               RETURNING 1)
             SELECT fleetstream_assert(count(*) = 1, $6, 'stale-checkpoint') FROM moved`,
        from === undefined
          ? [groupId, topic, partition, to, stateOffset ?? null, stale]
          : [groupId, topic, partition, to, stateOffset ?? null, stale, from],
      );
    },
  };
}

export type CheckpointStore = ReturnType<typeof checkpointStore>;

/**
 * The ReplayNeededError a failed check of a checkpoint stands for (see fleetstream_assert), or
 * undefined for any other error.
 */
export function replayNeededFrom(error: unknown): ReplayNeededError | undefined {
  const message = error instanceof Error ? error.message : String(error);
  switch (assertionKind(error)) {
    case "stale-checkpoint":
      return new StaleCheckpointError(message);
    case "scope-window-finalized":
      return new ScopeWindowFinalizedError(message);
    default:
      return undefined;
  }
}
