import { z } from "zod";
import { TruckId } from "./gps-fix";

/**
 * The live map's viewport-scoped stream (socket.io, version 2 of the fleet channel). A browser
 * says what it looks at; the web server then sends the trucks inside that area, the changes
 * inside it, and counts for areas too dense to draw truck by truck. Positions travel as columns
 * (one array per field) rather than one JSON object per truck.
 */

const Longitude = z.number().min(-180).max(180);
const Latitude = z.number().min(-90).max(90);

/** What a browser looks at (`fleet:viewport:v1`): the map's bounds and zoom, and trucks it follows. */
export const ViewportSubscription = z
  .strictObject({
    west: Longitude,
    south: Latitude,
    east: Longitude,
    north: Latitude,
    zoom: z.number().min(0).max(24),
    /** Trucks sent wherever they are (the selected one): never hidden in a count. */
    follow: z.array(TruckId).max(100).default([]),
  })
  .refine((v) => v.west <= v.east, { message: "west must not be east of east", path: ["west"] })
  .refine((v) => v.south <= v.north, {
    message: "south must not be north of north",
    path: ["south"],
  });
export type ViewportSubscription = z.input<typeof ViewportSubscription>;
export type Viewport = z.output<typeof ViewportSubscription>;
