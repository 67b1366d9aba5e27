/**
 * `npm run bench -- map [--sizes 1000,10000,50000] [--rate 2500] [--seconds 10]`: the live map
 * in Chromium at 1440×900 with `size` moving trucks, the canvas truck layer against the DOM-marker
 * layer (`/?trucks=dom`, the baseline) in the same run.
 *
 * For each size: `truck_positions` is emptied (deleted and recreated: this bench owns the broker
 * it runs on), a fresh web app process starts on a scratch database, the bench produces one
 * position per truck, then `rate` position updates per second (a fix every 20 s per truck at
 * 50,000 trucks; time compressed at the smaller sizes). A signed-in page opens the dashboard and
 * reports:
 *  - first render: navigation start → the first frame painted with every truck (the map's
 *    `fleet:first-render` performance mark), capped at FIRST_RENDER_CAP_MS;
 *  - fps: requestAnimationFrame callbacks per second over `seconds`, after 2 s of settling;
 *  - long tasks (> 50 ms) in that window, and the JS heap after it;
 *  - updates/s: positions the page received over socket.io in that window.
 * Chromium runs as in the e2e suite: headless, --disable-gpu (software raster, no GPU here).
 * Last line: value = canvas fps at the largest size, baseline = DOM-marker fps at that size.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { TOPICS, type TruckPosition } from "@fleetstream/contracts";
import { scratchDatabases } from "@fleetstream/db/testing";
import { NL_REGION } from "@fleetstream/geofence/testing";
import { freePort, httpStatus, startAppProcess } from "@fleetstream/service/testing";
import { type Browser, chromium, type Page } from "@playwright/test";
import { Kafka, logLevel, type Producer } from "kafkajs";

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "1000,10000,50000" },
    rate: { type: "string", default: "2500" },
    seconds: { type: "string", default: "10" },
  },
});
const SIZES = values.sizes.split(",").map(Number);
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const FIRST_RENDER_CAP_MS = 90_000;
const TARGET_FPS = 50;
const TARGET_FIRST_RENDER_MS = 2_000;
const repoRoot = new URL("../..", import.meta.url).pathname;
const EMAIL = "bench-admin@fleetstream.test";
const PASSWORD = "bench-admin-password-1";
const run = randomBytes(3).toString("hex");
const log = (line: string) => process.stderr.write(`${line}\n`);

interface PageResult {
  layer: "canvas" | "dom";
  trucks: number;
  firstRenderMs: number | null;
  fps: number;
  longTasks: number;
  longestTaskMs: number;
  jsHeapMb: number;
  updatesPerSec: number;
}

/** infra/'s Kafka and PostgreSQL, unless KAFKA_BROKERS and DATABASE_URL point elsewhere. */
function services(): { brokers: string[]; databaseUrl: string } {
  if (!process.env.KAFKA_BROKERS || !process.env.DATABASE_URL) {
    const printed = execFileSync("bash", ["infra/up.sh"], {
      cwd: repoRoot,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    });
    for (const [, name, value] of printed.matchAll(/^export (\w+)=(.*)$/gm))
      if (name && value !== undefined) process.env[name] = value;
  }
  return {
    brokers: (process.env.KAFKA_BROKERS ?? "").split(","),
    databaseUrl: process.env.DATABASE_URL ?? "",
  };
}

/** A simulated fleet spread over the Netherlands, each truck driving straight and bouncing. */
function fleet(size: number) {
  const [west, south, east, north] = NL_REGION;
  let seed = 42;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const start = Date.now() - 3_600_000;
  const trucks = Array.from({ length: size }, (_, i) => ({
    truckId: `map-${String(i).padStart(5, "0")}`,
    seq: 0,
    lat: south + random() * (north - south),
    lon: west + random() * (east - west),
    speedKmh: 40 + random() * 50,
    headingDeg: random() * 360,
    eventTime: start,
  }));
  let next = 0;
  /** The next truck's next fix (20 s of driving later), as the processor would publish it. */
  const advance = (truck: (typeof trucks)[number]): TruckPosition => {
    const km = (truck.speedKmh * 20) / 3_600;
    const rad = (truck.headingDeg * Math.PI) / 180;
    truck.lat += (Math.cos(rad) * km) / 111;
    truck.lon += (Math.sin(rad) * km) / (111 * Math.cos((truck.lat * Math.PI) / 180));
    if (truck.lat < south || truck.lat > north || truck.lon < west || truck.lon > east) {
      truck.headingDeg = (truck.headingDeg + 180) % 360;
    }
    truck.seq += 1;
    truck.eventTime += 20_000;
    return { ...truck, processedAt: Date.now() };
  };
  return {
    all: () => trucks.map(advance),
    take(count: number): TruckPosition[] {
      const out: TruckPosition[] = [];
      for (let i = 0; i < count; i++) {
        out.push(advance(trucks[next] as (typeof trucks)[number]));
        next = (next + 1) % trucks.length;
      }
      return out;
    },
  };
}

async function send(producer: Producer, positions: TruckPosition[]): Promise<void> {
  for (let i = 0; i < positions.length; i += 5_000) {
    await producer.send({
      topic: TOPICS.truckPositions.name,
      messages: positions.slice(i, i + 5_000).map((p) => ({
        key: p.truckId,
        value: JSON.stringify(p),
      })),
    });
  }
}

/** Opens the dashboard (the page's context is signed in) and measures one layer. */
async function measure(
  page: Page,
  base: string,
  layer: "canvas" | "dom",
  trucks: number,
): Promise<PageResult> {
  let positions = 0;
  let counting = false;
  page.on("websocket", (ws) =>
    ws.on("framereceived", ({ payload }) => {
      if (!counting || typeof payload !== "string") return;
      if (!payload.startsWith('42["fleet:positions')) return;
      positions += payload.split('{"truckId"').length - 1;
    }),
  );
  await page.addInitScript(() => {
    const tasks: number[] = [];
    (window as unknown as { __longTasks: number[] }).__longTasks = tasks;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) tasks.push(entry.duration);
    }).observe({ type: "longtask", buffered: true });
  });
  await page.goto(`${base}/${layer === "dom" ? "?trucks=dom" : ""}`);
  const firstRenderMs = await page
    .waitForFunction(
      (expected) => {
        const mark = performance.getEntriesByName("fleet:first-render")[0] as
          | PerformanceMark
          | undefined;
        return mark && (mark.detail as { trucks: number }).trucks >= expected
          ? mark.startTime
          : null;
      },
      trucks,
      { timeout: FIRST_RENDER_CAP_MS, polling: 250 },
    )
    .then(
      async (handle) => Math.round((await handle.jsonValue()) as number),
      () => null,
    );
  await page.waitForTimeout(2_000);
  counting = true;
  const window: {
    fps: number;
    elapsed: number;
    longTasks: number;
    longestTaskMs: number;
    jsHeapMb: number;
  } = await page.evaluate(frameWindow(SECONDS));
  counting = false;
  return {
    layer,
    trucks,
    firstRenderMs,
    fps: Math.round(window.fps * 10) / 10,
    longTasks: window.longTasks,
    longestTaskMs: Math.round(window.longestTaskMs),
    jsHeapMb: Math.round(window.jsHeapMb),
    updatesPerSec: Math.round(positions / window.elapsed),
  };
}

/**
 * The in-page measurement, as source text: tsx compiles named functions with a `__name` helper
 * that does not exist in the page, so a function handed to page.evaluate could not run there.
 */
function frameWindow(seconds: number): string {
  return `(async () => {
    const tasks = window.__longTasks;
    tasks.length = 0;
    let frames = 0;
    const began = performance.now();
    await new Promise((resolve) => {
      const tick = () => {
        frames += 1;
        if (performance.now() - began < ${seconds * 1_000}) requestAnimationFrame(tick);
        else resolve();
      };
      requestAnimationFrame(tick);
    });
    const elapsed = (performance.now() - began) / 1000;
    return {
      fps: frames / elapsed,
      elapsed,
      longTasks: tasks.length,
      longestTaskMs: Math.max(0, ...tasks),
      jsHeapMb: (performance.memory?.usedJSHeapSize ?? 0) / 1048576,
    };
  })()`;
}

async function signIn(browser: Browser, base: string) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${base}/sign-in`);
  await page.getByLabel("Email").fill(EMAIL);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/sign-in"));
  const state = await context.storageState();
  await context.close();
  return state;
}

async function main() {
  const { brokers, databaseUrl } = services();
  log("map bench: building the web app (cached when unchanged)");
  execFileSync(
    "npx",
    ["turbo", "run", "build", "--filter=@fleetstream/web", "--output-logs=errors-only"],
    { cwd: repoRoot, stdio: ["ignore", "ignore", "inherit"] },
  );
  const kafka = new Kafka({ clientId: `bench-map-${run}`, brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const producer = kafka.producer();
  await producer.connect();
  const scratch = scratchDatabases(databaseUrl);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--enable-precise-memory-info"],
  });
  const results: PageResult[] = [];
  try {
    for (const size of SIZES) {
      // An empty positions topic: the web app's view holds this size's trucks only.
      if ((await admin.listTopics()).includes(TOPICS.truckPositions.name)) {
        await admin.deleteTopics({ topics: [TOPICS.truckPositions.name], timeout: 30_000 });
        while ((await admin.listTopics()).includes(TOPICS.truckPositions.name))
          await new Promise((r) => setTimeout(r, 250));
      }
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      const output: string[] = [];
      const web = startAppProcess({
        entry: "apps/web/src/main.ts",
        cwd: repoRoot,
        env: {
          PORT: String(port),
          HOST: "127.0.0.1",
          KAFKA_BROKERS: brokers.join(","),
          DATABASE_URL: await scratch.create(),
          AUTH_SECRET: randomBytes(24).toString("hex"),
          ADMIN_EMAIL: EMAIL,
          ADMIN_PASSWORD: PASSWORD,
          MAP_TILE_URL: "none",
          MAP_ROAD_NETWORK: "builtin",
          LOG_LEVEL: "warn",
        },
        output: (chunk) => output.push(chunk.toString()),
      });
      let load: NodeJS.Timeout | undefined;
      try {
        while ((await httpStatus(`${base}/health/ready`)) !== 200) {
          if (web.child.exitCode !== null) throw new Error(`web exited:\n${output.join("")}`);
          await new Promise((r) => setTimeout(r, 250));
        }
        const trucks = fleet(size);
        await send(producer, trucks.all());
        const state = await signIn(browser, base);
        const context = await browser.newContext({
          viewport: { width: 1440, height: 900 },
          storageState: state,
        });
        // Wait until the web app holds every truck, so the page's snapshot is the whole fleet.
        for (;;) {
          const metrics = await (await context.request.get(`${base}/metrics`)).text();
          const held = Number(/^fleetstream_web_trucks (\d+)/m.exec(metrics)?.[1] ?? 0);
          if (held >= size) break;
          await new Promise((r) => setTimeout(r, 250));
        }
        // Steady updates, in 10 sends a second.
        let sending = false;
        load = setInterval(() => {
          if (sending) return;
          sending = true;
          send(producer, trucks.take(Math.round(RATE / 10)))
            .catch((error: unknown) => log(`map bench: a send failed: ${String(error)}`))
            .finally(() => {
              sending = false;
            });
        }, 100);
        for (const layer of ["canvas", "dom"] as const) {
          log(`map bench: ${size} trucks, ${layer} layer…`);
          const page = await context.newPage();
          const result = await measure(page, base, layer, size);
          await page.close();
          results.push(result);
          log(`map bench: ${JSON.stringify(result)}`);
        }
        await context.close();
      } finally {
        if (load) clearInterval(load);
        await web.kill("SIGTERM");
      }
    }
  } finally {
    await browser.close();
    await producer.disconnect();
    await admin.disconnect();
    await scratch.dropAll();
  }
  const largest = Math.max(...SIZES);
  const at = (layer: PageResult["layer"]) =>
    results.find((r) => r.layer === layer && r.trucks === largest) as PageResult;
  const canvas = at("canvas");
  const dom = at("dom");
  console.log(
    JSON.stringify({
      bench: "map",
      metric: `fps at ${largest} moving trucks (canvas layer; baseline DOM markers)`,
      value: canvas.fps,
      unit: "frames/s",
      baseline: dom.fps,
      ratio: dom.fps > 0 ? Math.round((canvas.fps / dom.fps) * 100) / 100 : null,
      targets: {
        fps: TARGET_FPS,
        firstRenderMs: TARGET_FIRST_RENDER_MS,
        met:
          canvas.fps >= TARGET_FPS &&
          canvas.firstRenderMs !== null &&
          canvas.firstRenderMs < TARGET_FIRST_RENDER_MS,
      },
      updatesPerSecProduced: RATE,
      chromium: "headless, --disable-gpu (software raster)",
      viewport: "1440x900",
      results,
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
