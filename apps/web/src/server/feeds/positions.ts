import { TOPICS, TruckPosition } from "@fleetstream/contracts";
import { LatestPositions } from "../views/latest-positions";
import { createTopicReader, type LiveFeed, type TopicReaderOptions } from "./live-feed";

export type PositionsFeed = LiveFeed & { readonly view: LatestPositions };

/**
 * Positions: the compacted truck_positions topic → the latest position per truck →
 * `fleet:snapshot:v1` on connect, then `fleet:positions:v1` with the trucks that moved.
 */
export function createPositionsFeed(
  options: Omit<TopicReaderOptions, "handlers"> & {
    /** Called with the positions of each push, for the push-delay metric. */
    onPushed?: (positions: readonly TruckPosition[], at: number) => void;
  },
): PositionsFeed {
  const view = new LatestPositions();
  const reader = createTopicReader("positions", {
    ...options,
    handlers: [
      {
        spec: TOPICS.truckPositions,
        schema: TruckPosition,
        accept: (position: TruckPosition) => view.apply(position),
      },
    ],
  });
  return {
    ...reader,
    view,
    flush(io) {
      const changed = view.takeChanged();
      if (changed.length === 0) return;
      io.emit("fleet:positions:v1", changed);
      options.onPushed?.(changed, Date.now());
    },
    connect(socket) {
      socket.emit("fleet:snapshot:v1", view.snapshot());
    },
  };
}
