import { expect } from "@playwright/test";
import { Kafka, logLevel } from "kafkajs";
import { screenshot, test } from "./support";

// The map with 10,000 more trucks (issue 12): clustered when zoomed out, split into trucks one
// can click when zoomed in, and new trucks where the map is panned to. Stack mode only: the
// positions go straight onto the stack's truck_positions topic, as its processor would write them.
//
// The file name starts with "zzz-" so it runs after every other file: nothing removes a truck
// from the dashboard's positions, and a crowd of 10,000 in view clusters the demo fleet too.

const COLUMNS = 100;
const ROWS = 100;
/** About 350 m × 550 m apart, south-west of the demo fleet's roads. */
const SPACING_DEG = 0.005;
const SOUTH = 50.6;
const WEST = 3.0;
const truckId = (i: number) => `SCALE-${String(i).padStart(5, "0")}`;

async function produceFleet(brokers: string[]): Promise<void> {
  const producer = new Kafka({
    clientId: "e2e-scale",
    brokers,
    logLevel: logLevel.NOTHING,
  }).producer();
  await producer.connect();
  try {
    const now = Date.now();
    const messages = Array.from({ length: COLUMNS * ROWS }, (_, i) => {
      const position = {
        truckId: truckId(i),
        seq: 1,
        lat: SOUTH + Math.floor(i / COLUMNS) * SPACING_DEG,
        lon: WEST + (i % COLUMNS) * SPACING_DEG,
        speedKmh: 0,
        headingDeg: (i * 7) % 360,
        eventTime: now,
        processedAt: now,
      };
      return { key: position.truckId, value: JSON.stringify(position) };
    });
    for (let i = 0; i < messages.length; i += 2000) {
      await producer.send({ topic: "truck_positions", messages: messages.slice(i, i + 2000) });
    }
  } finally {
    await producer.disconnect();
  }
}

test("pan and zoom with 10,000 trucks: clusters split, trucks appear, a clicked truck opens", async ({
  page,
}, testInfo) => {
  test.skip(testInfo.project.name !== "stack", "needs the stack's Kafka topic");
  test.setTimeout(180_000);
  const brokers = (process.env.KAFKA_BROKERS ?? "127.0.0.1:9092").split(",");
  await produceFleet(brokers);

  // Not openConsole: with the crowd in view at first, every truck is in a cluster.
  await page.goto("/");
  await expect(page.getByRole("status", { name: "Connection" })).toHaveText("Live");
  // Zoomed out over all of them, the web server sends counts per cell, not 10,000 trucks.
  await expect(page.getByText(/\(100\d\d in the fleet/)).toBeVisible({ timeout: 60_000 });

  // Select one in the middle of the crowd, found in the whole fleet (it is not in the list of
  // the map's area): the map follows it (zoom 11), where the crowd is still counts and only the
  // selected truck is drawn on its own.
  const middle = truckId((ROWS / 2) * COLUMNS + COLUMNS / 2);
  await page.getByRole("searchbox", { name: "Search trucks" }).fill(middle);
  await page
    .getByRole("region", { name: "Elsewhere in the fleet" })
    .getByRole("button", { name: middle, exact: true })
    .click();
  const crowd = page.getByRole("img", { name: /^Truck SCALE-/ });
  await expect(page.getByRole("img", { name: `Truck ${middle}`, exact: true })).toBeVisible();
  await expect.poll(() => crowd.count()).toBe(1);
  await screenshot(page, testInfo, "scale-clustered");

  // Zoomed in, the clusters split into single trucks, few enough to be focusable.
  const zoomIn = page.getByRole("button", { name: "Zoom in" });
  // (Beyond 200 single trucks in view there is no overlay: zoom in until there is.)
  await expect
    .poll(async () => {
      const count = await crowd.count();
      if (count <= 20) await zoomIn.click();
      return count;
    })
    .toBeGreaterThan(20);
  const before = new Set(await crowd.evaluateAll((els) => els.map((e) => e.ariaLabel)));

  // Panned, other trucks come into view.
  const map = await page.getByRole("region", { name: "Fleet map" }).boundingBox();
  if (!map) throw new Error("map not on screen");
  // The truck's details cover the right of the map: drag within the part left of them.
  const details = await page.getByRole("article", { name: `Truck ${middle}` }).boundingBox();
  const right = Math.min(map.x + map.width, details?.x ?? Number.POSITIVE_INFINITY);
  const y = map.y + map.height / 2;
  await page.mouse.move(right - 40, y);
  await page.mouse.down();
  await page.mouse.move(map.x + 40, y, { steps: 10 });
  await page.mouse.up();
  await expect
    .poll(async () => {
      const now = await crowd.evaluateAll((els) => els.map((e) => e.ariaLabel));
      return now.filter((name) => !before.has(name)).length;
    })
    .toBeGreaterThan(0);

  // Leaflet's inertia goes on panning after the drag: a truck's place is only worth clicking
  // once the trucks stand still on screen (a click at a place read mid-glide opened another).
  let lastPlaces = "";
  await expect
    .poll(
      async () => {
        const places = JSON.stringify(
          await crowd.evaluateAll((els) =>
            els.map((e) => {
              const box = e.getBoundingClientRect();
              return [e.ariaLabel, Math.round(box.x), Math.round(box.y)];
            }),
          ),
        );
        const still = places === lastPlaces;
        lastPlaces = places;
        return still;
      },
      { intervals: [300] },
    )
    .toBe(true);

  // A click on a truck (one not under the details panel) opens it.
  const target = await crowd.evaluateAll(
    (els, selected) =>
      els
        .map((e) => {
          const box = e.getBoundingClientRect();
          const x = box.x + box.width / 2;
          const y = box.y + box.height / 2;
          return { name: e.ariaLabel ?? "", x, y, onTop: document.elementFromPoint(x, y) === e };
        })
        .find((t) => t.onTop && !t.name.endsWith(selected)),
    middle,
  );
  if (!target) throw new Error("no truck to click");
  await page.mouse.click(target.x, target.y);
  await expect(page.getByRole("article", { name: target.name })).toBeVisible();
  await screenshot(page, testInfo, "scale-zoomed-in");
});
