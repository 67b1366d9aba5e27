import { z } from "zod";
import { TRUCK_STATUSES } from "./constants";
import { AlertView, FleetWindowPoint, TrailFix } from "./dashboard";
import { GeofenceId } from "./geofence";
import { TruckId, TruckPosition } from "./gps-fix";
import {
  AlertKinds,
  BooleanText,
  checkRange,
  GeofenceIds,
  Instant,
  Limit,
  TruckIds,
} from "./query-params";
import { ScopeSpeedWindow, TruckSpeedWindow } from "./windows";

/**
 * The dashboard's REST endpoints (apps/web): the queries they take and the answers they give.
 * API_ROUTES (api.ts) documents them; the route handlers parse with the same schemas.
 */

const HOUR_MS = 3_600_000;
const EpochMs = z.int().min(0);

// ---- queries

/** GET /api/alerts: filters, then the cursor of the previous page's `next`. */
export const AlertQuery = checkRange(
  z.strictObject({
    type: AlertKinds.optional(),
    truck: TruckIds(100).optional(),
    fence: GeofenceIds(100).optional(),
    tag: z.string().trim().min(1).max(64).optional(),
    acknowledged: BooleanText.optional(),
    from: Instant.optional(),
    to: Instant.optional(),
    /** `next` of the previous page (opaque). */
    before: z.string().max(200).optional(),
    limit: Limit(500, 50),
  }),
  366 * 24 * HOUR_MS,
);

export const TruckStatus = z.enum(TRUCK_STATUSES);
export type TruckStatus = z.infer<typeof TruckStatus>;

/** GET /api/trucks: the live fleet, filtered and sorted. */
export const TruckListQuery = z.strictObject({
  search: z.string().trim().max(64).optional(),
  status: TruckStatus.optional(),
  sort: z.enum(["id", "speed", "age"]).default("id"),
  limit: Limit(100_000, 1_000),
});

/** A time range of at most a day; when absent it ends at the newest data and spans an hour. */
export const RangeQuery = checkRange(
  z.strictObject({ from: Instant.optional(), to: Instant.optional() }),
  24 * HOUR_MS,
);

/** Most trucks one replay may show, and the longest range. */
export const REPLAY_MAX_TRUCKS = 20;
export const REPLAY_MAX_RANGE_MS = 24 * HOUR_MS;

/** GET /api/replay: trucks and a range. */
export const ReplayQuery = checkRange(
  z.strictObject({ trucks: TruckIds(REPLAY_MAX_TRUCKS), from: Instant, to: Instant }),
  REPLAY_MAX_RANGE_MS,
);

/** Natural Earth scales of the offline basemap: 1:110m, 1:50m, 1:10m. */
export const BASEMAP_DETAILS = ["110m", "50m", "10m"] as const;
const Coordinate = z.number("must be a number");

/** GET /api/basemap/outlines: the scale and the box [west,south,east,north] in degrees. */
export const OutlinesQuery = z.strictObject({
  detail: z.enum(BASEMAP_DETAILS).default("50m"),
  bbox: z
    .string()
    .transform((text) => text.split(",").map(Number))
    .pipe(
      z
        .tuple([Coordinate, Coordinate, Coordinate, Coordinate], "must be west,south,east,north")
        .refine(([w, s, e, n]) => w < e && s < n, "west must be below east and south below north")
        .refine(
          ([w, s, e, n]) => w >= -540 && e <= 540 && s >= -90 && n <= 90,
          "outside the world",
        ),
    ),
});

// ---- answers

export const AlertPage = z.strictObject({
  alerts: z.array(AlertView),
  /** Pass as `before` for the next (older) page; null on the last. */
  next: z.string().nullable(),
});

/** A truck's latest fix with its status (offline after TRUCK_OFFLINE_AFTER_S without a fix). */
export const TruckView = z.strictObject({
  ...TruckPosition.shape,
  status: TruckStatus,
  lastHeardAt: EpochMs,
});

export const TruckList = z.strictObject({
  /** Trucks matching the filter; `trucks` holds the first `limit` of them. */
  total: z.int().min(0),
  trucks: z.array(TruckView),
  offlineAfterMs: z.int().positive(),
});

export const TruckDetail = z.strictObject({
  truck: TruckView,
  insideGeofences: z.array(GeofenceId),
  recentAlerts: z.array(AlertView),
});

const Range = { from: EpochMs, to: EpochMs };

export const TruckTrail = z.strictObject({
  truckId: TruckId,
  fixes: z.array(TrailFix),
  /** True when the range held more fixes than one answer carries (the oldest are returned). */
  truncated: z.boolean(),
});

export const TruckTrailAnswer = z.strictObject({ ...Range, ...TruckTrail.shape });

export const TruckWindows = z.strictObject({
  ...Range,
  truckId: TruckId,
  windows: z.array(TruckSpeedWindow),
});

export const FleetWindows = z.strictObject({ ...Range, windows: z.array(FleetWindowPoint) });

export const GeofenceWindows = z.strictObject({
  ...Range,
  geofenceId: GeofenceId,
  windows: z.array(ScopeSpeedWindow),
});

export const Replay = z.strictObject({
  ...Range,
  trucks: z.array(TruckTrail),
  /** The trucks' alerts in the range, oldest first. */
  alerts: z.array(AlertView),
});

const GeoJsonGeometry = z.looseObject({ type: z.string(), coordinates: z.array(z.unknown()) });

export const BasemapOutlines = z.strictObject({
  bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]),
  detail: z.enum(BASEMAP_DETAILS),
  land: GeoJsonGeometry,
  borders: GeoJsonGeometry,
});

export const RoadNetwork = z.strictObject({
  type: z.literal("FeatureCollection"),
  features: z.array(
    z.strictObject({
      type: z.literal("Feature"),
      properties: z.strictObject({ ref: z.string(), roadClass: z.string() }),
      geometry: z.strictObject({
        type: z.literal("LineString"),
        coordinates: z.array(z.tuple([z.number(), z.number()])),
      }),
    }),
  ),
});
