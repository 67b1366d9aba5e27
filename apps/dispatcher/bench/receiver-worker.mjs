// The benchmark's local receiver, in a worker thread (its own core, as an integrator's server
// would be): answers 204 at once and records, per request, alert-raised → received latency
// (the alert's eventTime is set when the benchmark publishes it).
import { createServer } from "node:http";
import { parentPort } from "node:worker_threads";

let count = 0;
let latencies = [];
const ids = new Set();
const server = createServer((req, res) => {
  const chunks = [];
  req.on("data", (chunk) => chunks.push(chunk));
  req.on("end", () => {
    const now = Date.now();
    try {
      const eventTime = JSON.parse(Buffer.concat(chunks).toString("utf8"))?.data?.alert?.eventTime;
      if (typeof eventTime === "number") latencies.push(now - eventTime);
    } catch {
      // not a payload: counted, no latency
    }
    ids.add(String(req.headers["webhook-id"]));
    count += 1;
    res.writeHead(204).end();
  });
});
server.keepAliveTimeout = 10_000;
server.listen(0, "127.0.0.1", () => {
  parentPort?.postMessage({ type: "listening", port: server.address().port });
});
parentPort?.on("message", (message) => {
  if (message === "stats") {
    parentPort?.postMessage({ type: "stats", count, unique: ids.size, latencies });
  } else if (message === "reset") {
    count = 0;
    latencies = [];
    ids.clear();
  } else if (message === "close") {
    server.closeAllConnections();
    server.close(() => parentPort?.close());
  }
});
