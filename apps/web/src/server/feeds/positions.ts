import {
  type FleetStreamBatch,
  isTruckPosition,
  TOPICS,
  TruckPosition,
  ViewportSubscription,
} from "@fleetstream/contracts";
import { LatestPositions } from "../views/latest-positions";
import { createViewportStreams, type ViewportStreamOptions } from "../views/viewport-streams";
import {
  createTopicReader,
  type FleetSocket,
  type LiveFeed,
  type TopicReaderOptions,
} from "./live-feed";

export type PositionsFeed = LiveFeed & { readonly view: LatestPositions };

/** Sockets of clients that take the whole fleet (the v1 events): API integrations. */
const WHOLE_FLEET_ROOM = "fleet:all";

/**
 * Positions: the compacted truck_positions topic → the latest position per truck → two ways out.
 *  - The dashboard connects with `auth: { fleet: "viewport" }` and sends `fleet:viewport:v1`
 *    whenever its map moves: it gets `fleet:view:v2` (that area's trucks, or counts per cell
 *    where it is too dense) and then `fleet:changes:v2` with only the changes inside the area.
 *  - Any other client (an integration with an API key) gets `fleet:snapshot:v1` on connect,
 *    then `fleet:positions:v1` with every truck that moved.
 */
export function createPositionsFeed(
  options: Omit<TopicReaderOptions, "handlers"> & {
    /** Called with the positions of each push, for the push-delay metric. */
    onPushed?: (positions: readonly TruckPosition[], at: number) => void;
    streams?: ViewportStreamOptions;
  },
): PositionsFeed {
  const view = new LatestPositions();
  const streams = createViewportStreams(view, options.streams);
  const reader = createTopicReader("positions", {
    ...options,
    handlers: [
      {
        spec: TOPICS.truckPositions,
        schema: TruckPosition,
        accepts: isTruckPosition,
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
      // socket.io encodes a room's message before it looks for members: only when there are.
      if (io.sockets.adapter.rooms.has(WHOLE_FLEET_ROOM))
        io.to(WHOLE_FLEET_ROOM).emit("fleet:positions:v1", changed);
      streams.push(changed, Date.now());
      options.onPushed?.(changed, Date.now());
    },
    connect(socket) {
      if (socket.handshake.auth?.fleet !== "viewport") {
        void socket.join(WHOLE_FLEET_ROOM);
        socket.emit("fleet:snapshot:v1", view.snapshot());
        return;
      }
      streamViewport(socket, streams);
    },
  };
}

/** A dashboard's socket: each valid viewport (re)subscribes it; an invalid one is refused. */
function streamViewport(socket: FleetSocket, streams: ReturnType<typeof createViewportStreams>) {
  const sink = {
    ready: () => socket.connected && socket.conn.transport.writable,
    onDrain: (retry: () => void) => socket.conn.once("drain", retry),
    send: (event: "fleet:view:v2" | "fleet:changes:v2", batch: FleetStreamBatch) =>
      socket.emit(event, batch),
  };
  socket.on("fleet:viewport:v1", (input: unknown, ack?: unknown) => {
    const parsed = ViewportSubscription.safeParse(input);
    const answer = typeof ack === "function" ? ack : () => {};
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      answer({ ok: false, error: `${issue?.path.join(".") || "viewport"}: ${issue?.message}` });
      return;
    }
    streams.subscribe(socket.id, sink, parsed.data);
    answer({ ok: true });
  });
  socket.on("disconnect", () => streams.unsubscribe(socket.id));
  // The dashboard sends the area it opens on with its handshake (`auth.viewport`): its first
  // view leaves with the connection, not a round trip after it. One that does not parse is
  // ignored here: the same viewport sent as fleet:viewport:v1 gets the refusal and its reason.
  const opening = ViewportSubscription.safeParse(socket.handshake.auth?.viewport);
  if (opening.success) streams.subscribe(socket.id, sink, opening.data);
}
