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
  const response = await request.post("/api/geofences", {
    data: {
      name,
      tags: ["e2e"],
      geometry: { type: "Circle", center: [truck.lon, truck.lat], radiusM: 5_000 },
    },
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

export async function screenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  // After a move the basemap of the new area may still be on its way: wait for it.
  await basemapDrawn(page);
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path });
  await testInfo.attach(name, { path, contentType: "image/png" });
}
