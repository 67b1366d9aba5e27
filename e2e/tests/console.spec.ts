import { expect, type Page } from "@playwright/test";
import {
  fenceAroundTruck,
  fenceAt,
  liveTrucks,
  openConsole,
  screenshot,
  test,
  uniqueName,
} from "./support";

// One test per journey of the operations console (issue 9), each against both launch modes.

test("draw a geofence on the map and see a truck raise ENTER in the feed", async ({
  page,
  request,
}, testInfo) => {
  await openConsole(page);
  await page.getByRole("tab", { name: /^Geofences/ }).click();
  await page.getByRole("button", { name: "Draw rectangle" }).click();
  await expect(page.getByRole("status").filter({ hasText: "opposite corner" })).toBeVisible();

  // A rectangle around a moving truck's marker: it is inside as soon as the fence exists. The
  // marker must sit well inside the map, or a corner's click lands on the panel beside it.
  const trucks = await liveTrucks(request);
  const map = await page.getByRole("region", { name: "Fleet map" }).boundingBox();
  if (!map) throw new Error("map not on screen");
  const MARGIN = 100;
  let centre: { cx: number; cy: number } | undefined;
  for (const truck of [...trucks].sort(
    (a, b) => Number(b.status === "moving") - Number(a.status === "moving"),
  )) {
    const box = await page
      .getByRole("img", { name: `Truck ${truck.truckId}`, exact: true })
      .boundingBox();
    if (!box) continue;
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    const inside =
      cx > map.x + MARGIN &&
      cx < map.x + map.width - MARGIN &&
      cy > map.y + MARGIN &&
      cy < map.y + map.height - MARGIN;
    if (inside) {
      centre = { cx, cy };
      break;
    }
  }
  if (!centre) throw new Error("no truck marker well inside the map");
  const { cx, cy } = centre;
  await page.mouse.click(cx - 70, cy - 70);
  await page.mouse.move(cx, cy, { steps: 4 });
  await page.mouse.move(cx + 70, cy + 70, { steps: 4 });
  await page.mouse.click(cx + 70, cy + 70);

  const form = page.getByRole("form", { name: "New geofence" });
  await expect(form.getByText(/^Shape: polygon/)).toBeVisible();
  // The API's 400 for a bad value is shown at the field it names.
  await form.getByLabel("Speed limit (km/h)").fill("-5");
  await form.getByRole("button", { name: "Save geofence" }).click();
  await expect(form.getByLabel("Speed limit (km/h)")).toHaveAttribute("aria-invalid", "true");
  await expect(form.getByText(/expected number to be >0/)).toBeVisible();

  const name = uniqueName("Drawn");
  await form.getByLabel("Speed limit (km/h)").fill("");
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Tags").fill("e2e, drawn");
  await form.getByRole("button", { name: "Save geofence" }).click();
  await expect(page.getByRole("article", { name: `Geofence ${name}` })).toBeVisible();
  await expect(page.getByRole("list", { name: "Geofences" }).getByText(name)).toBeVisible();

  // ENTER within the debounce (3 fixes, 20 s of event time ≈ 1 s at 20x) plus the pipeline.
  await page.getByRole("tab", { name: /^Alerts/ }).click();
  await page.getByRole("combobox", { name: "Geofence" }).selectOption({ label: name });
  const enter = page
    .getByRole("list", { name: "Alerts, newest first" })
    .getByRole("listitem")
    .filter({ hasText: "ENTER" });
  await expect(enter.first()).toBeVisible({ timeout: 20_000 });
  await expect(enter.first()).toContainText(name);
  // A second fence centred on the drawn one: its label would lie on the drawn one's. Labels never
  // cover one another; the selected (drawn) fence keeps its label, the other one's gives way.
  const { geofences } = await (await request.get("/api/geofences?tag=drawn")).json();
  const drawn = geofences.find((f: { name: string }) => f.name === name);
  const corners: [number, number][] = drawn.geometry.coordinates[0];
  const middle = (i: 0 | 1) =>
    (Math.min(...corners.map((c) => c[i])) + Math.max(...corners.map((c) => c[i]))) / 2;
  const beside = await fenceAt(request, uniqueName("Beside"), [middle(0), middle(1)]);
  await expect(page.locator(".fence-label", { hasText: beside.name })).toHaveClass(/covered/);
  await expect(page.locator(".fence-label", { hasText: name })).not.toHaveClass(/covered/);
  await expect.poll(() => overlappingFenceLabels(page)).toEqual([]);
  await screenshot(page, testInfo, "draw-fence-enter");
  expect((await request.delete(`/api/geofences/${beside.id}`)).status()).toBe(204);
});

/** Pairs of shown fence labels (by their text) whose boxes overlap. */
async function overlappingFenceLabels(page: Page): Promise<string[]> {
  const labels = await page
    .locator(".fence-label:not(.fence-label--covered)")
    .evaluateAll((elements) =>
      elements.map((e) => ({ text: e.textContent ?? "", box: e.getBoundingClientRect().toJSON() })),
    );
  const pairs: string[] = [];
  for (const [i, a] of labels.entries())
    for (const b of labels.slice(i + 1))
      if (
        a.box.left < b.box.right &&
        b.box.left < a.box.right &&
        a.box.top < b.box.bottom &&
        b.box.top < a.box.bottom
      )
        pairs.push(`${a.text} / ${b.text}`);
  return pairs;
}

test("acknowledge an alert: who and when are kept across a reload", async ({
  page,
  request,
}, testInfo) => {
  const [truck] = await liveTrucks(request);
  if (!truck) throw new Error("no trucks");
  const fence = await fenceAroundTruck(request, truck, uniqueName("Ack"));
  await openConsole(page, `/?tab=alerts&afence=${fence.id}`);

  const list = page.getByRole("list", { name: "Alerts, newest first" });
  const rows = list.getByRole("listitem");
  await expect(rows.first()).toBeVisible();
  // The truck's first alert in this fence, by its own name: later alerts (an EXIT as the truck
  // drives on) may come in above it while the test runs.
  const button = rows
    .filter({ hasText: truck.truckId })
    .getByRole("button", { name: /^Acknowledge / })
    .last();
  const label = (await button.getAttribute("aria-label")) ?? "";
  await button.click();
  // As the signed-in user (the tests run as the launcher's first admin).
  const acknowledged = rows.filter({
    has: page.getByRole("button", { name: label.replace(/^Acknowledge /, ""), exact: true }),
  });
  await expect(acknowledged.last()).toContainText(
    /Acknowledged by e2e-admin@fleetstream.test at \d\d:\d\d:\d\d/,
  );

  // Persisted: a fresh page (REST history + the server's recent alerts) still shows it.
  await page.reload();
  await expect(list.getByText(/Acknowledged by e2e-admin@fleetstream.test/).first()).toBeVisible();
  await screenshot(page, testInfo, "acknowledged-alert");
});

test("open a truck: freshness, its speed chart extending live, and its trail", async ({
  page,
}, testInfo) => {
  await openConsole(page);
  const list = page.getByRole("listbox", { name: "Trucks" });
  await list.getByRole("option").filter({ hasText: "T-0001" }).first().click();
  const detail = page.getByRole("article", { name: /^Truck / });
  await expect(detail).toBeVisible();
  await expect(detail.getByText("Last fix (event time)")).toBeVisible();
  // The demo's event times run ahead of the wall clock: said so, never "0 s ago".
  await expect(detail.getByTestId("fix-age")).not.toHaveText(/^0 s ago$/);

  const chart = detail.getByRole("figure", { name: "Speed per minute, last hour" });
  const caption = chart.locator("figcaption");
  await expect(caption).toHaveText(/^\d+ minutes? up to /);
  const first = await caption.textContent();
  // A new minute ends every 3 s at 20x: the chart grows as windows are emitted.
  await expect(caption).not.toHaveText(first ?? "");

  // The trail from position_fixes is drawn on the map.
  await expect
    .poll(async () => (await page.locator("path.truck-trail").getAttribute("d"))?.length ?? 0)
    .toBeGreaterThan(20);
  await screenshot(page, testInfo, "truck-detail");
});

test("replay a truck's last 10 minutes with play, speed and its alerts", async ({
  page,
  request,
}, testInfo) => {
  const [truck] = await liveTrucks(request);
  if (!truck) throw new Error("no trucks");
  const fence = await fenceAroundTruck(request, truck, uniqueName("Replay"));
  await openConsole(page, `/?truck=${truck.truckId}`);
  // Wait for this fence's ENTER, so the replay's 10 minutes have an alert on their timeline.
  const recent = page.getByRole("region", { name: "Recent alerts" }).getByRole("listitem");
  await expect(recent.filter({ hasText: fence.name }).filter({ hasText: "ENTER" })).toBeVisible();
  await page.getByRole("button", { name: "Replay last 10 min" }).click();

  const replay = page.getByRole("region", { name: "History replay" });
  await expect(replay.getByText(/^1 truck\(s\), \d+ fixes/)).toBeVisible();
  await expect(page.getByRole("img", { name: `Replayed truck ${truck.truckId}` })).toBeVisible();
  await expect(
    replay.getByRole("button", { name: new RegExp(`^ENTER ${truck.truckId} at`) }).first(),
  ).toBeAttached();

  const clock = replay.getByRole("status", { name: "Replay clock" });
  const start = await clock.textContent();
  await replay.getByRole("combobox", { name: "Speed" }).selectOption("60");
  await replay.getByRole("button", { name: "Play", exact: true }).click();
  await expect(clock).not.toHaveText(start ?? "");
  await expect(replay.getByText(/[1-9]\d* of \d+ alerts so far/)).toBeVisible();
  await expect(page).toHaveURL(/replay=/);
  await screenshot(page, testInfo, "replay");
});

test("filter and sort the truck list; the filters go into the URL", async ({ page }, testInfo) => {
  await openConsole(page);
  const list = page.getByRole("listbox", { name: "Trucks" });
  // Virtualised: only the rows on screen are in the page; the count says how many match. (The
  // stack's topics may also hold trucks of other test suites: the demo fleet is T-0001…T-0020.)
  await expect(page.getByText(/^\d+ trucks ·/)).toBeVisible();
  await page.getByRole("searchbox", { name: "Search trucks" }).fill("T-001");
  await expect(page.getByText(/^\d+ of \d+ trucks ·/)).toBeVisible();
  await expect.poll(() => list.getByRole("option").count()).toBeGreaterThanOrEqual(10);
  for (const text of await list.getByRole("option").allTextContents()) {
    expect(text).toContain("T-001");
  }

  await page.getByRole("combobox", { name: "Sort by" }).selectOption({ label: "Speed" });
  const speeds = async () =>
    (await list.getByRole("option").allTextContents()).map((t) =>
      Number(/([\d.]+) km\/h/.exec(t)?.[1]),
    );
  await expect
    .poll(async () => {
      const s = await speeds();
      return s.every((v, i) => i === 0 || (s[i - 1] ?? 0) >= v);
    })
    .toBe(true);
  await expect(page).toHaveURL(/q=T-001/);
  await expect(page).toHaveURL(/sort=speed/);
  await screenshot(page, testInfo, "truck-list-filtered");
});

test("a link restores the view, at 390 px wide too", async ({ page, request }, testInfo) => {
  const [truck] = await liveTrucks(request);
  if (!truck) throw new Error("no trucks");
  const link = `/?tab=alerts&truck=${truck.truckId}&atype=ENTER,EXIT&q=T-00`;
  await page.setViewportSize({ width: 390, height: 844 });
  await openConsole(page, link);
  await expect(page.getByRole("tab", { name: /^Alerts/ })).toHaveAttribute("aria-selected", "true");
  await expect(page.getByRole("button", { name: "ENTER", exact: true })).toHaveAttribute(
    "aria-pressed",
    "true",
  );
  await expect(page.getByRole("button", { name: "EXIT", exact: true })).toHaveAttribute(
    "aria-pressed",
    "true",
  );
  await expect(page.getByRole("button", { name: "DWELL", exact: true })).toHaveAttribute(
    "aria-pressed",
    "false",
  );
  const detail = page.getByRole("article", { name: `Truck ${truck.truckId}` });
  await expect(detail).toBeVisible();
  await expect(detail).toBeInViewport();
  await expect(page.getByTestId("time-zone")).toHaveText(/^Europe\/Amsterdam \(UTC\+0[12]:00\)$/);
  await screenshot(page, testInfo, "link-390px");

  // The trucks tab of the same link keeps its search.
  await page.getByRole("button", { name: "Close details" }).click();
  await page.getByRole("tab", { name: /^Trucks/ }).click();
  await expect(page.getByRole("searchbox", { name: "Search trucks" })).toHaveValue("T-00");
});

test("while the connection is down a banner says so and trucks are greyed", async ({
  page,
  context,
}, testInfo) => {
  await openConsole(page);
  await context.setOffline(true);
  await expect(page.getByRole("alert").filter({ hasText: "reconnecting" })).toBeVisible();
  await expect(page.getByRole("img", { name: /^Truck / }).first()).toBeVisible();
  await expect(page.getByRole("status", { name: "Connection" })).toHaveText("Reconnecting…");
  await screenshot(page, testInfo, "reconnecting");
  await context.setOffline(false);
  await expect(page.getByRole("status", { name: "Connection" })).toHaveText("Live", {
    timeout: 30_000,
  });
  await expect(page.getByRole("alert").filter({ hasText: "reconnecting" })).toHaveCount(0);
});
