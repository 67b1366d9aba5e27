import { randomBytes } from "node:crypto";
import {
  type APIRequestContext,
  test as base,
  expect,
  type Page,
  type TestInfo,
} from "@playwright/test";

/**
 * The tests' `test`: its `request` is the page's, so API calls carry the signed-in session of the
 * project (Playwright's own `request` fixture starts without cookies).
 */
export const test = base.extend({
  request: async ({ page }, use) => use(page.request),
});

/** A name no other test (or earlier run against the same database) uses. */
export const uniqueName = (prefix: string) => `${prefix} ${randomBytes(3).toString("hex")}`;

export interface LiveTruck {
  truckId: string;
  lat: number;
  lon: number;
  speedKmh: number;
  status: string;
}

/** The demo fleet's trucks: T-0001…T-0020 (a shared broker may hold other suites' trucks). */
const DEMO_TRUCK = /^T-\d{4}$/;

/**
 * The demo fleet as the REST API sees it, once at least `min` of its trucks are online; moving
 * ones first.
 */
export async function liveTrucks(request: APIRequestContext, min = 5): Promise<LiveTruck[]> {
  let trucks: LiveTruck[] = [];
  await expect
    .poll(async () => {
      const response = await request.get("/api/trucks");
      trucks = ((await response.json()).trucks as LiveTruck[]).filter(
        (t) => DEMO_TRUCK.test(t.truckId) && t.status !== "offline",
      );
      return trucks.length;
    })
    .toBeGreaterThanOrEqual(min);
  return trucks.sort((a, b) => Number(b.status === "moving") - Number(a.status === "moving"));
}

/**
 * A circle geofence around a truck's position now: the truck is inside at once, so it raises
 * ENTER within the debounce (3 fixes and 20 s of event time: about a second at 20x).
 */
export async function fenceAroundTruck(
  request: APIRequestContext,
  truck: LiveTruck,
  name: string,
): Promise<{ id: string; name: string }> {
  return fenceAt(request, name, [truck.lon, truck.lat]);
}

/** A 5 km circle fence (tag e2e) centred on [lon, lat]. */
export async function fenceAt(
  request: APIRequestContext,
  name: string,
  center: [number, number],
): Promise<{ id: string; name: string }> {
  const response = await request.post("/api/geofences", {
    data: { name, tags: ["e2e"], geometry: { type: "Circle", center, radiusM: 5_000 } },
  });
  expect(response.status()).toBe(201);
  return response.json();
}

/**
 * The live console: socket live, trucks on the map, and the offline basemap drawn (the tests run
 * without map tiles, as on these machines).
 */
export async function openConsole(page: Page, path = "/"): Promise<void> {
  await page.goto(path);
  await expect(page.getByRole("status", { name: "Connection" })).toHaveText("Live");
  await expect(page.getByRole("img", { name: /^Truck / }).first()).toBeVisible();
  await basemapDrawn(page);
}

export async function basemapDrawn(page: Page): Promise<void> {
  await expect(page.getByRole("region", { name: "Fleet map" })).toHaveAttribute(
    "data-basemap",
    "ready",
  );
}

/**
 * Screen position of every truck marker, by truck (its accessible name without " (stale)"): read
 * in the page in one go (the map may show hundreds of trucks, as in CI after the integration
 * suites, and a locator call per marker took minutes).
 */
export async function markerPositions(page: Page): Promise<Map<string, string>> {
  const entries: [string, string][] = await page
    .getByRole("img", { name: /^Truck / })
    .evaluateAll((markers) =>
      markers.map((marker) => {
        const box = marker.getBoundingClientRect();
        return [
          (marker.getAttribute("aria-label") ?? "").replace(/ \(stale\)$/, ""),
          `${Math.round(box.x)},${Math.round(box.y)}`,
        ];
      }),
    );
  return new Map(entries.filter(([name]) => name !== ""));
}

/**
 * Waits until at least one truck marker has changed place on the screen since `before` (a
 * reading of markerPositions). The view stays where it is after the first fit, so a marker that
 * changes place is a truck that moved; some trucks may be parked at a stop, any one is enough.
 */
export async function expectTrucksToMove(
  page: Page,
  before: Map<string, string>,
  timeout: number,
): Promise<void> {
  await expect
    .poll(
      async () => {
        const now = await markerPositions(page);
        return [...now].filter(([name, at]) => before.has(name) && before.get(name) !== at).length;
      },
      { timeout, message: "a truck marker changes place on the map" },
    )
    .toBeGreaterThan(0);
}

export async function screenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  // After a move the basemap of the new area may still be on its way: wait for it.
  await basemapDrawn(page);
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path });
  await testInfo.attach(name, { path, contentType: "image/png" });
}
