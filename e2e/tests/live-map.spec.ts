import { expect, type Page, test } from "@playwright/test";

/** Screen position of every truck marker, by its accessible name. */
async function markerPositions(page: Page): Promise<Map<string, string>> {
  const markers = await page.getByRole("img", { name: /^Truck / }).all();
  const positions = new Map<string, string>();
  for (const marker of markers) {
    const [name, box] = await Promise.all([
      marker.getAttribute("aria-label"),
      marker.boundingBox(),
    ]);
    if (name && box) positions.set(name, `${Math.round(box.x)},${Math.round(box.y)}`);
  }
  return positions;
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
