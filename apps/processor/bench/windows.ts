// `npm run bench -- windows`: fixes per second through the speed windows of issue 5 (per-truck
// 1-min tumbling + 5-min/1-min hopping, fleet and per-geofence 1-min windows, watermarks, finals)
// with 100,000 trucks, on one core, against the naive baseline that copies every fix into every
// hopping window it falls in. Same input, same outputs (checked), same run. Last line: JSON.
//
// One core: the bench runs itself again under `node --single-threaded` (V8 does its garbage
// collection and compilation on the main thread too), and the rate is computed from that
// thread's CPU time, so other processes on a shared machine do not change the result; the wall
// clock rate is reported beside it.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import {
  createPartitionWindows,
  NaiveWindows,
  planWindows,
  type WindowFix,
  type ZoneLookup,
  type ZoneRef,
} from "@fleetstream/windows";
import { seededRandom } from "@fleetstream/windows/testing";

if (!process.env.WINDOWS_BENCH_CHILD) {
  const child = spawnSync(
    process.execPath,
    ["--single-threaded", "--max-old-space-size=4096", "--import", "tsx", import.meta.filename],
    { stdio: "inherit", env: { ...process.env, WINDOWS_BENCH_CHILD: "1" } },
  );
  process.exit(child.status ?? 1);
}

const TRUCKS = Number(process.env.BENCH_TRUCKS ?? 100_000);
const INTERVAL_MS = 20_000; // each truck reports every 20 s
const DURATION_MS = 8 * 60_000;
const BATCH = 500; // the processor's batch size
const REORDER_MS = 30_000; // records arrive up to 30 s out of order
const TARGET = 150_000;
const START = Date.UTC(2035, 0, 1);

/** 100 geofences on a 0.1-degree grid; about 1 fix in 5 is inside one (O(1) lookup). */
const zones: ZoneLookup = (() => {
  const cells = new Map<number, ZoneRef[]>();
  for (let i = 0; i < 100; i++) {
    const cell = Math.floor(i / 10) * 1000 + (i % 10) * 5;
    cells.set(cell, [{ id: `zone-${i}`, speedLimitKmh: i % 3 === 0 ? 50 : undefined }]);
  }
  const none: ZoneRef[] = [];
  return {
    containing: (lat, lon) =>
      cells.get(Math.floor((lat - 50) * 10) * 1000 + Math.floor((lon - 4) * 10)) ?? none,
  };
})();

/**
 * The input as columns, in arrival order. Fix objects are built per batch inside the timed loop
 * (as decoding the records would), so the benchmark does not keep millions of them alive.
 */
interface Input {
  length: number;
  ids: string[];
  truck: Int32Array;
  seq: Int32Array;
  eventTime: Float64Array;
  lat: Float64Array;
  lon: Float64Array;
  speed: Float64Array;
}

function generate(): Input {
  const random = seededRandom(2035);
  const perTruck = DURATION_MS / INTERVAL_MS;
  const length = TRUCKS * perTruck;
  const ids = Array.from({ length: TRUCKS }, (_, i) => `T-${String(i).padStart(6, "0")}`);
  const truckOf = new Int32Array(length);
  const seqOf = new Int32Array(length);
  const time = new Float64Array(length);
  const latOf = new Float64Array(length);
  const lonOf = new Float64Array(length);
  const speedOf = new Float64Array(length);
  const arrival = new Float64Array(length);
  let n = 0;
  for (let truck = 0; truck < TRUCKS; truck++) {
    const phase = Math.floor(random() * INTERVAL_MS);
    let lat = 50 + random() * 2;
    let lon = 4 + random() * 2;
    for (let seq = 0; seq < perTruck; seq++, n++) {
      lat += (random() - 0.5) * 0.01;
      lon += (random() - 0.5) * 0.01;
      truckOf[n] = truck;
      seqOf[n] = seq;
      time[n] = START + phase + seq * INTERVAL_MS;
      latOf[n] = lat;
      lonOf[n] = lon;
      speedOf[n] = Math.round(random() * 1300) / 10;
      arrival[n] = (time[n] as number) + (random() < 0.2 ? Math.floor(random() * REORDER_MS) : 0);
    }
  }
  const order = Array.from({ length }, (_, i) => i).sort(
    (a, b) => (arrival[a] as number) - (arrival[b] as number) || a - b,
  );
  const pick = <T extends Int32Array | Float64Array>(column: T): T => {
    const out = column.slice() as T;
    order.forEach((from, to) => {
      out[to] = column[from] as number;
    });
    return out;
  };
  return {
    length,
    ids,
    truck: pick(truckOf),
    seq: pick(seqOf),
    eventTime: pick(time),
    lat: pick(latOf),
    lon: pick(lonOf),
    speed: pick(speedOf),
  };
}

function batchOf(input: Input, from: number, to: number): { fix: WindowFix; offset: number }[] {
  const batch: { fix: WindowFix; offset: number }[] = [];
  for (let i = from; i < to; i++) {
    batch.push({
      fix: {
        truckId: input.ids[input.truck[i] as number] as string,
        seq: input.seq[i] as number,
        eventTime: input.eventTime[i] as number,
        lat: input.lat[i] as number,
        lon: input.lon[i] as number,
        speedKmh: input.speed[i] as number,
      },
      offset: i,
    });
  }
  return batch;
}

interface Runner {
  process(fixes: { fix: WindowFix; offset: number }[]): {
    windows: { length: number; final: boolean[]; fixCount: number[] };
    partials: unknown[];
  };
}

/** CPU time of this thread (utime + stime from /proc, in clock ticks of 10 ms), seconds. */
function threadCpuSeconds(): number {
  const fields = readFileSync("/proc/thread-self/stat", "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function measure(name: string, runner: Runner, input: Input, count = input.length) {
  let finals = 0;
  let finalFixes = 0;
  let updates = 0;
  const cpu0 = threadCpuSeconds();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < count; i += BATCH) {
    const out = runner.process(batchOf(input, i, Math.min(count, i + BATCH)));
    const { final, fixCount } = out.windows;
    for (let w = 0; w < out.windows.length; w++) {
      if (final[w]) {
        finals++;
        finalFixes += fixCount[w] as number;
      } else updates++;
    }
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpuSeconds = threadCpuSeconds() - cpu0;
  const rate = count / cpuSeconds;
  const wallRate = count / seconds;
  console.log(
    `${name.padEnd(31)} ${Math.round(rate).toLocaleString("en").padStart(9)} events/s per CPU s ` +
      `(${cpuSeconds.toFixed(2)} CPU s, ${seconds.toFixed(2)} s wall: ${Math.round(wallRate).toLocaleString("en")}/s; ` +
      `${finals.toLocaleString("en")} final, ${updates.toLocaleString("en")} updated truck windows)`,
  );
  return { rate, wallRate, finals, finalFixes };
}

const plan = planWindows();
const input = generate();
console.log(
  `${input.length.toLocaleString("en")} fixes from ${TRUCKS.toLocaleString("en")} trucks over ${DURATION_MS / 60_000} min ` +
    `(every ${INTERVAL_MS / 1000} s, 20% up to ${REORDER_MS / 1000} s out of order), batches of ${BATCH}, one core`,
);
// Warm-up on a small slice, separate instances.
measure("warm-up: panes", createPartitionWindows(plan, zones), input, 50_000);
measure("warm-up: naive", new NaiveWindows(plan, zones), input, 50_000);

const panes = measure("panes (PartitionWindows)", createPartitionWindows(plan, zones), input);
const naive = measure("naive: copy into every window", new NaiveWindows(plan, zones), input);
if (panes.finals !== naive.finals || panes.finalFixes !== naive.finalFixes)
  throw new Error(`outputs differ: ${panes.finals} vs ${naive.finals} final windows`);

console.log(
  JSON.stringify({
    bench: "windows",
    metric: "fixes per second through event-time speed windows, 100,000 trucks, one core",
    value: Math.round(panes.rate),
    unit: "events/s",
    baseline: Math.round(naive.rate),
    ratio: Number((panes.rate / naive.rate).toFixed(2)),
    target: TARGET,
    meetsTarget: panes.rate >= TARGET,
    wallValue: Math.round(panes.wallRate),
    wallBaseline: Math.round(naive.wallRate),
    measuredAs: "main-thread CPU time under node --single-threaded (one core)",
    trucks: TRUCKS,
    events: input.length,
    finalWindows: panes.finals,
    windows: "1-min tumbling + 5-min/1-min hopping per truck, 1-min fleet + 100 geofences",
  }),
);
