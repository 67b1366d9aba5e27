import { expect, type Page } from "@playwright/test";
import { test } from "./support";

/**
 * Screen position of every truck marker, by its accessible name: read in the page in one go (the
 * map may show hundreds of trucks, as in CI after the integration suites, and a locator call per
 * marker took minutes).
 */
async function markerPositions(page: Page): Promise<Map<string, string>> {
  const entries: [string, string][] = await page
    .getByRole("img", { name: /^Truck / })
    .evaluateAll((markers) =>
      markers.map((marker) => {
        const box = marker.getBoundingClientRect();
        return [
          marker.getAttribute("aria-label") ?? "",
          `${Math.round(box.x)},${Math.round(box.y)}`,
        ];
      }),
    );
  return new Map(entries.filter(([name]) => name !== ""));
}

test("trucks appear on the map and move as fixes stream in", async ({ page }, testInfo) => {
  await page.goto("/");

  const trucks = page.getByRole("img", { name: /^Truck / });
  await expect(trucks.first()).toBeVisible();
  await expect.poll(() => trucks.count()).toBeGreaterThanOrEqual(5);
  await expect(page.getByText(/live/i).first()).toBeVisible();

  // The view stays where it is after the first fit, so a marker that changes place on the screen
  // is a truck that moved. Some trucks may be parked at a stop: any one moving is enough.
  const before = await markerPositions(page);
  await expect
    .poll(
      async () => {
        const now = await markerPositions(page);
        return [...now].filter(([name, at]) => before.has(name) && before.get(name) !== at).length;
      },
      { timeout: 45_000 },
    )
    .toBeGreaterThan(0);

  const screenshot = testInfo.outputPath("live-map.png");
  await page.screenshot({ path: screenshot });
  await testInfo.attach("live map", { path: screenshot, contentType: "image/png" });
});

test("the web app reports itself ready and its live feeds on /metrics", async ({
  page,
  request,
}) => {
  await page.goto("/");
  await expect.poll(() => page.getByRole("img", { name: /^Truck / }).count()).toBeGreaterThan(0);

  const ready = await request.get("/health/ready");
  expect(ready.status()).toBe(200);
  expect(await ready.json()).toMatchObject({
    status: "ok",
    checks: { "feed:positions": { ok: true }, "feed:alerts": { ok: true } },
  });

  const metrics = await (await request.get("/metrics")).text();
  expect(metrics).toMatch(/^fleetstream_web_feed_up\{feed="positions"\} 1$/m);
  expect(metrics).toMatch(/^fleetstream_web_sockets [1-9]/m);
  const applied = metrics.match(
    /^fleetstream_web_feed_records_total\{topic="truck_positions",outcome="applied"\} (\d+)$/m,
  );
  expect(Number(applied?.[1])).toBeGreaterThan(0);
  expect(metrics).toMatch(/^fleetstream_web_position_push_seconds_count\{since="event"\} [1-9]/m);
});
