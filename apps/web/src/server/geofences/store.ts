import { randomUUID } from "node:crypto";
import {
  GEOFENCE_DELETED_AT_HEADER,
  Geofence,
  GeofenceGeometry,
  GeofenceId,
  type GeofenceSettings,
  TOPICS,
} from "@fleetstream/contracts";
import type { Prisma, PrismaClient } from "@fleetstream/db";
import { MAX_RECORD_BYTES, type Producer, recordBytes } from "@fleetstream/eventlog";
import { validateGeofenceInput } from "./validate";

// Plain module (no `server-only`): used by the custom server and by unit tests; the route
// handlers reach it through the runtime registry (runtime.ts).

/** What went wrong, by kind; the HTTP layer maps each to a status (see http.ts). */
export type GeofenceErrorCode = "invalid" | "not_found" | "too_large";

export type GeofenceResult<T> =
  | { ok: true; value: T }
  | { ok: false; code: GeofenceErrorCode; message: string; problems: string[] };

const notFound = (id: string): GeofenceResult<never> => ({
  ok: false,
  code: "not_found",
  message: `geofence ${JSON.stringify(id)} not found`,
  problems: [],
});

const invalid = (problems: string[]): GeofenceResult<never> => ({
  ok: false,
  code: "invalid",
  message: `invalid geofence: ${problems[0] ?? "unknown problem"}`,
  problems,
});

/**
 * A fence whose record would not fit the `geofences` topic (Kafka's default 1 MiB message
 * limit; MAX_RECORD_BYTES = 1,000,000 bytes with room for the batch header): checked before
 * the transaction, as the record it would publish with the widest id, version and times, so
 * nothing is stored that the processors could never receive.
 */
function tooLargeForTopic(settings: GeofenceSettings, now: number): GeofenceResult<never> | null {
  const id = "00000000-0000-0000-0000-000000000000";
  const widest: Geofence = {
    ...settings,
    id,
    version: Number.MAX_SAFE_INTEGER,
    createdAt: now,
    updatedAt: now,
  };
  const bytes = recordBytes({ key: id, value: JSON.stringify(widest) });
  if (bytes <= MAX_RECORD_BYTES) return null;
  return {
    ok: false,
    code: "too_large",
    message:
      `geofence too large: its record on the "${TOPICS.geofences.name}" topic would be ${bytes} ` +
      `bytes, more than the ${MAX_RECORD_BYTES}-byte limit of a Kafka record; use fewer positions`,
    problems: [],
  };
}

/**
 * Geofences: input is validated (schema, then topology); PostgreSQL is the source of truth; every change is then published to the compacted
 * `geofences` topic (key = id, value = the Geofence; a tombstone on delete), which the processors
 * follow. A write runs in one transaction that holds a per-fence advisory lock from the row
 * change through the publish, so concurrent writes to one fence reach the topic in the order
 * they reach the table. A failed publish rolls the write back; if the commit fails after the
 * publish, the previous state is published again (best effort).
 */
export interface GeofenceStore {
  list(filter?: { tag?: string | undefined }): Promise<Geofence[]>;
  get(id: string): Promise<GeofenceResult<Geofence>>;
  /** `input` as the client sent it (parsed JSON). */
  create(input: unknown): Promise<GeofenceResult<Geofence>>;
  replace(id: string, input: unknown): Promise<GeofenceResult<Geofence>>;
  remove(id: string): Promise<GeofenceResult<null>>;
}

export interface GeofenceStoreDeps {
  prisma: PrismaClient;
  producer: Producer;
  now?: () => number;
}

type Row = Prisma.GeofenceGetPayload<object>;
type Tx = Prisma.TransactionClient;

function fromRow(row: Row): Geofence {
  return Geofence.parse({
    id: row.id,
    version: row.version,
    name: row.name,
    tags: row.tags,
    enabled: row.enabled,
    geometry: GeofenceGeometry.parse(row.geometry),
    speedLimitKmh: row.speedLimitKmh,
    dwellSeconds: row.dwellSeconds,
    debounce: { fixes: row.debounceFixes, seconds: row.debounceSeconds },
    createdAt: row.createdAt.getTime(),
    updatedAt: row.updatedAt.getTime(),
  });
}

function toColumns(settings: GeofenceSettings) {
  return {
    name: settings.name,
    tags: settings.tags,
    enabled: settings.enabled,
    geometry: settings.geometry as Prisma.InputJsonValue,
    speedLimitKmh: settings.speedLimitKmh,
    dwellSeconds: settings.dwellSeconds,
    debounceFixes: settings.debounce.fixes,
    debounceSeconds: settings.debounce.seconds,
  };
}

export function createGeofenceStore(deps: GeofenceStoreDeps): GeofenceStore {
  const { prisma, producer, now = Date.now } = deps;
  const topic = TOPICS.geofences.name;

  const publish = (fence: Geofence) =>
    producer.send(topic, [{ key: fence.id, value: JSON.stringify(fence) }]);
  const tombstone = (id: string, at: number) =>
    producer.send(topic, [
      { key: id, value: null, headers: { [GEOFENCE_DELETED_AT_HEADER]: String(at) } },
    ]);

  /** Serialises writers of one fence until the transaction ends. */
  const lock = (tx: Tx, id: string) =>
    tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('geofence'), hashtext(${id}))`;

  /**
   * Runs a write; `undo` re-publishes the state before it if the commit fails after the publish.
   */
  async function write<T>(
    body: (tx: Tx, published: (undo: () => Promise<unknown>) => void) => Promise<T>,
  ): Promise<T> {
    let undo: (() => Promise<unknown>) | undefined;
    try {
      return await prisma.$transaction((tx) => body(tx, (u) => (undo = u)), { timeout: 15_000 });
    } catch (error) {
      if (undo) await undo().catch(() => {});
      throw error;
    }
  }

  return {
    async list(filter = {}) {
      const rows = await prisma.geofence.findMany({
        where: filter.tag ? { tags: { has: filter.tag } } : {},
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      });
      return rows.map(fromRow);
    },

    async get(id) {
      if (!GeofenceId.safeParse(id).success) return notFound(id);
      const row = await prisma.geofence.findUnique({ where: { id } });
      return row ? { ok: true, value: fromRow(row) } : notFound(id);
    },

    async create(input) {
      const valid = validateGeofenceInput(input);
      if (!valid.ok) return invalid(valid.problems);
      const settings = valid.value;
      const tooLarge = tooLargeForTopic(settings, now());
      if (tooLarge) return tooLarge;
      const fence = await write(async (tx, published) => {
        const id = randomUUID();
        await lock(tx, id);
        const at = new Date(now());
        const row = await tx.geofence.create({
          data: { id, ...toColumns(settings), version: 1, createdAt: at, updatedAt: at },
        });
        const fence = fromRow(row);
        await publish(fence);
        published(() => tombstone(id, fence.updatedAt));
        return fence;
      });
      return { ok: true, value: fence };
    },

    async replace(id, input) {
      if (!GeofenceId.safeParse(id).success) return notFound(id);
      const valid = validateGeofenceInput(input);
      if (!valid.ok) return invalid(valid.problems);
      const settings = valid.value;
      const tooLarge = tooLargeForTopic(settings, now());
      if (tooLarge) return tooLarge;
      const fence = await write(async (tx, published) => {
        await lock(tx, id);
        const before = await tx.geofence.findUnique({ where: { id } });
        if (!before) return undefined;
        // A new version takes effect now, and always after the previous one.
        const at = new Date(Math.max(now(), before.updatedAt.getTime() + 1));
        const row = await tx.geofence.update({
          where: { id },
          data: { ...toColumns(settings), version: before.version + 1, updatedAt: at },
        });
        const fence = fromRow(row);
        await publish(fence);
        published(() => publish(fromRow(before)));
        return fence;
      });
      return fence ? { ok: true, value: fence } : notFound(id);
    },

    async remove(id) {
      if (!GeofenceId.safeParse(id).success) return notFound(id);
      const removed = await write(async (tx, published) => {
        await lock(tx, id);
        const before = await tx.geofence.findUnique({ where: { id } });
        if (!before) return false;
        await tx.geofence.delete({ where: { id } });
        await tombstone(id, Math.max(now(), before.updatedAt.getTime() + 1));
        published(() => publish(fromRow(before)));
        return true;
      });
      return removed ? { ok: true, value: null } : notFound(id);
    },
  };
}
