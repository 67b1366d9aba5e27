import { Geofence, TOPICS } from "@fleetstream/contracts";
import { createTopicReader, type LiveFeed, type TopicReaderOptions } from "./live-feed";

export type GeofencesFeed = LiveFeed & {
  /** Every geofence, oldest first. */
  list(): Geofence[];
  get(id: string): Geofence | undefined;
};

export interface GeofencesFeedOptions extends Omit<TopicReaderOptions, "handlers"> {
  /** A fence was deleted or disabled: whatever is derived from its alerts is void. */
  onFenceGone?(geofenceId: string): void;
}

/**
 * Geofences: the compacted `geofences` topic (what the processors follow) → the latest version
 * of every fence → `geofences:snapshot:v1` (the whole list; fences are few) on connect and after
 * each change, whoever made it.
 */
export function createGeofencesFeed(options: GeofencesFeedOptions): GeofencesFeed {
  const fences = new Map<string, Geofence>();
  let changed = false;
  const reader = createTopicReader("geofences", {
    ...options,
    handlers: [
      {
        spec: TOPICS.geofences,
        schema: Geofence,
        accept(fence: Geofence) {
          const current = fences.get(fence.id);
          if (current && current.version > fence.version) return;
          fences.set(fence.id, fence);
          changed = true;
          if (!fence.enabled) options.onFenceGone?.(fence.id);
        },
        tombstone(record) {
          if (record.key === null) return;
          if (fences.delete(record.key)) changed = true;
          options.onFenceGone?.(record.key);
        },
      },
    ],
  });
  const list = () => [...fences.values()].sort((a, b) => a.createdAt - b.createdAt);
  return {
    ...reader,
    list,
    get: (id) => fences.get(id),
    flush(io) {
      if (!changed) return;
      changed = false;
      io.emit("geofences:snapshot:v1", list());
    },
    connect(socket) {
      socket.emit("geofences:snapshot:v1", list());
    },
  };
}
