import { expect } from "@playwright/test";
import { expectTrucksToMove, markerPositions, test } from "./support";

test("trucks appear on the map and move as fixes stream in", async ({ page }, testInfo) => {
  await page.goto("/");

  const trucks = page.getByRole("img", { name: /^Truck / });
  await expect(trucks.first()).toBeVisible();
  await expect.poll(() => trucks.count()).toBeGreaterThanOrEqual(5);
  await expect(page.getByText(/live/i).first()).toBeVisible();

  await expectTrucksToMove(page, await markerPositions(page), 45_000);

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
