// Worker-thread entry: registers tsx (workers do not inherit the parent's loader), then runs the
// TypeScript producer loop. Started by WorkerProducerSink with `execArgv: []`.
import { register } from "tsx/esm/api";

register();
await import("./producer-worker.ts");
