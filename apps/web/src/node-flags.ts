/**
 * Node flags the web app runs with (the launchers and benchmarks pass them; README's command and
 * `npm run start:web` do too). Its views keep the latest position and the open speed windows of
 * every truck, each replaced within seconds by a newer one, and every record read allocates
 * short-lived objects besides. With V8's default young generation (16 MB per semi-space) most of
 * them were promoted and died in the old generation: a major collection every ~7 s at 4,000
 * fixes/s, freeing ~260 MB, single pauses up to 134 ms (--trace-gc) and 160 ms of garbage
 * collection in the half second around a slow probe (CPU profile). 64 MB, as the processor, lets
 * more of them die young: in three alternated latency bench pairs the web took 0.256, 0.242 and
 * 0.282 cores under load against 0.268, 0.275 and 0.308, and the p50 at 10,000 fixes/s was 59, 55
 * and 75 ms against 74, 93 and 107 (the p99 within the runs' spread).
 */
export const WEB_NODE_FLAGS: readonly string[] = ["--max-semi-space-size=64"];
