import { ConfigError } from "./env";

/** Signals this close to the first are the same Ctrl-C delivered twice, not a second one. */
const DUPLICATE_SIGNAL_MS = 1_000;

/** Anything long-running: started once, stopped once (drain, then disconnect). */
export interface Service {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Entry-point helper: builds the service, starts it, and wires SIGINT/SIGTERM to `stop()`.
 * A ConfigError prints one line and exits 2; any other start failure exits 1.
 */
export async function runMain(
  name: string,
  build: () => Promise<Service> | Service,
): Promise<void> {
  let service: Service;
  try {
    service = await build();
    await service.start();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${name}: ${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`${name}: failed to start: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  }
  let stoppingSince: number | undefined;
  const shutdown = (signal: string) => {
    if (stoppingSince !== undefined) {
      // A Ctrl-C reaches us twice at once when a wrapper (npx, tsx) relays the signal the
      // terminal already sent to our process group: only a later one means "stop now".
      if (Date.now() - stoppingSince < DUPLICATE_SIGNAL_MS) return;
      process.stderr.write(`${name}: second ${signal}, exiting now\n`);
      process.exit(130);
    }
    stoppingSince = Date.now();
    service.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`${name}: error while stopping: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}
