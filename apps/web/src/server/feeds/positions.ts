import { TOPICS, TruckPosition } from "@fleetstream/contracts";
import { LatestPositions } from "../views/latest-positions";
import { createTopicReader, type LiveFeed, type TopicReaderOptions } from "./live-feed";

export type PositionsFeed = LiveFeed & { readonly view: LatestPositions };

/**
 * Positions: the compacted truck_positions topic → the latest position per truck →
 * `fleet:snapshot:v1` on connect, then `fleet:positions:v1` with the trucks that moved.
 */
export function createPositionsFeed(options: Omit<TopicReaderOptions, "handlers">): PositionsFeed {
  const view = new LatestPositions();
  const reader = createTopicReader({
    ...options,
    logger: options.logger.child({ feed: "positions" }),
    handlers: [
      {
        spec: TOPICS.truckPositions,
        schema: TruckPosition,
        accept: (position: TruckPosition) => view.apply(position),
      },
    ],
  });
  return {
    name: "positions",
    view,
    start: reader.start,
    stop: reader.stop,
    flush(io) {
      const changed = view.takeChanged();
      if (changed.length > 0) io.emit("fleet:positions:v1", changed);
    },
    connect(socket) {
      socket.emit("fleet:snapshot:v1", view.snapshot());
    },
  };
}
