import { GEOFENCE_DELETED_AT_HEADER, type Geofence, TOPICS } from "@fleetstream/contracts";
import { InMemoryEventLog } from "@fleetstream/eventlog";
import { createLogger } from "@fleetstream/service";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createGeofenceRegistry, type GeofenceRegistry } from "./registry";

// The registry on the in-process event log (same contract as Kafka, see @fleetstream/eventlog).

const T = 1_764_000_000_000;
const fence = (id: string, lon: number, updatedAt: number, version = 1): Geofence => ({
  id,
  version,
  name: id,
  tags: [],
  enabled: true,
  geometry: { type: "Circle", center: [lon, 52], radiusM: 1_000 },
  speedLimitKmh: 50,
  dwellSeconds: null,
  debounce: { fixes: 3, seconds: 20 },
  createdAt: updatedAt,
  updatedAt,
});

describe("geofence registry", () => {
  const eventLog = new InMemoryEventLog();
  const logger = createLogger("registry-test", "silent");
  let registry: GeofenceRegistry | undefined;
  afterEach(() => registry?.stop());

  async function send(
    records: { key: string; value: string | null; headers?: Record<string, string> }[],
  ) {
    await eventLog.ensureTopics([TOPICS.geofences]);
    const producer = eventLog.producer();
    await producer.send(TOPICS.geofences.name, records);
    await producer.close();
  }

  it("has read every fence already on the topic when start() resolves, and follows changes live", async () => {
    await send([
      ...Array.from({ length: 1_200 }, (_, i) => ({
        key: `f${i}`,
        value: JSON.stringify(fence(`f${i}`, 10 + i / 10, T)),
      })),
      { key: "bad", value: "{not json" },
    ]);
    registry = createGeofenceRegistry({ eventLog, logger });
    await registry.start();
    expect(registry.stats()).toMatchObject({ fences: 1_200, invalid: 1 });
    expect(registry.containing(52, 10, T)).toEqual([{ id: "f0", speedLimitKmh: 50 }]);
    expect(registry.containing(52, 10, T - 1)).toEqual([]); // before the fence existed

    // v2 moves f0 west (lon 10 → 9) from T + 60 s; then it is deleted at T + 120 s.
    await send([{ key: "f0", value: JSON.stringify(fence("f0", 9, T + 60_000, 2)) }]);
    await vi.waitFor(() => expect(registry?.containing(52, 9, T + 60_000)).toHaveLength(1));
    expect(registry.containing(52, 10, T + 59_999).map((r) => r.id)).toEqual(["f0"]);
    expect(registry.containing(52, 10, T + 60_000)).toEqual([]);
    await send([
      { key: "f0", value: null, headers: { [GEOFENCE_DELETED_AT_HEADER]: String(T + 120_000) } },
    ]);
    await vi.waitFor(() => expect(registry?.containing(52, 9, T + 120_000)).toEqual([]));
    expect(registry.containing(52, 9, T + 119_999)).toHaveLength(1);
  });
});
