// `npm run stack`: the same product as separate processes (processor lanes, web, dispatcher, simulator) on real
// Kafka and PostgreSQL. With KAFKA_BROKERS and DATABASE_URL both set it uses those; otherwise it
// starts the project-local broker and database of infra/ first (installing them when missing).
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { SPLIT_LANES } from "@fleetstream/processor/lanes";
import { PROCESSOR_NODE_FLAGS } from "@fleetstream/processor/node-flags";
import {
  backoffMs,
  createLogger,
  kafkaSecurity,
  kafkaSecurityVars,
  runMain,
} from "@fleetstream/service";
import { WEB_NODE_FLAGS } from "@fleetstream/web/node-flags";
import { type LauncherEnv, launcherMaxEventAheadMs, readLauncherEnv, roadNetwork } from "./env";

const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
/** How long apps may take to exit on a signal they received themselves before we send SIGTERM. */
const STOP_GRACE_MS = 3_000;
/** An app that ran this long before exiting is restarted at once (its earlier failures are over). */
const HEALTHY_RUN_MS = 60_000;

/** Starts infra/'s Kafka and PostgreSQL; infra/up.sh prints `export NAME=value` lines on stdout. */
function startLocalInfra(): Record<string, string> {
  const printed = execFileSync("bash", ["infra/up.sh"], {
    cwd: repoRoot,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  return Object.fromEntries(
    [...printed.matchAll(/^export (\w+)=(.*)$/gm)].map(([, name, value]) => [name, value]),
  );
}

/**
 * KAFKA_SSL*, KAFKA_SASL_* for the apps. They inherit this process's environment, so on your
 * cluster they get the same values (the CA file made absolute: the apps run in the repository
 * root); on infra/'s plaintext broker the values are cleared (empty = unset).
 */
function kafkaSecurityEnv(env: LauncherEnv, localInfra: boolean): Record<string, string> {
  if (localInfra)
    return Object.fromEntries(Object.keys(kafkaSecurityVars).map((name) => [name, ""]));
  return env.KAFKA_SSL_CA_FILE ? { KAFKA_SSL_CA_FILE: resolve(env.KAFKA_SSL_CA_FILE) } : {};
}

await runMain("stack", () => {
  const env = readLauncherEnv();
  const logger = createLogger("stack", env.LOG_LEVEL);
  // Checked here, once (CA file read), rather than by every app in a restart loop.
  const security = kafkaSecurity(env);
  const children = new Map<string, ChildProcess>();
  const restarts = new Set<NodeJS.Timeout>();
  let stopping = false;

  function launch(
    name: string,
    args: string[],
    extraEnv: Record<string, string>,
    nodeFlags: readonly string[] = [],
    /** Exits in a row so far without a healthy run in between. */
    attempt = 0,
  ): void {
    // node --import tsx: the app is our direct child, so SIGTERM reaches it (npx would sit between).
    const child = spawn(process.execPath, [...nodeFlags, "--import", "tsx", ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...extraEnv },
      stdio: ["ignore", "inherit", "inherit"],
    });
    children.set(name, child);
    const startedAt = Date.now();
    child.on("exit", (code, signal) => {
      children.delete(name);
      if (stopping) return;
      if (code === 0) {
        logger.warn({ app: name }, "app finished; the others go on");
        return;
      }
      // One app down must not stop the product: start it again, with backoff while it keeps
      // failing (Kafka or PostgreSQL away), at once after a long healthy run.
      const failures = Date.now() - startedAt >= HEALTHY_RUN_MS ? 1 : attempt + 1;
      const delay = failures === 1 ? 0 : backoffMs(failures - 1);
      logger.error(
        { app: name, code, signal, restartInMs: Math.round(delay) },
        "app exited; restarting it",
      );
      const timer = setTimeout(() => {
        restarts.delete(timer);
        if (!stopping) launch(name, args, extraEnv, nodeFlags, failures);
      }, delay);
      restarts.add(timer);
    });
  }

  /**
   * Stops the apps. They share this launcher's process group, so a Ctrl-C in the terminal has
   * already reached them and they are draining: give them a moment before sending SIGTERM
   * (a second signal makes an app exit at once, skipping its drain). A signal sent to the
   * launcher alone is forwarded after that moment.
   */
  async function stopAll(): Promise<void> {
    stopping = true;
    for (const timer of restarts) clearTimeout(timer);
    const exits = [...children.values()].map(
      (child) => new Promise((resolve) => child.once("exit", resolve)),
    );
    const grace = setTimeout(() => {
      for (const child of children.values()) child.kill("SIGTERM");
    }, STOP_GRACE_MS);
    await Promise.all(exits);
    clearTimeout(grace);
  }

  return {
    async start() {
      const cluster =
        env.KAFKA_BROKERS && env.DATABASE_URL
          ? { KAFKA_BROKERS: env.KAFKA_BROKERS.join(","), DATABASE_URL: env.DATABASE_URL }
          : undefined;
      if (!cluster && (security.ssl || security.sasl)) {
        logger.warn(
          "KAFKA_SSL and KAFKA_SASL_* are not used: infra/'s local broker is plaintext (set both " +
            "KAFKA_BROKERS and DATABASE_URL to run on your cluster)",
        );
      }
      const services = {
        ...(cluster ?? startLocalInfra()),
        ...kafkaSecurityEnv(env, !cluster),
      };
      logger.info(
        { kafka: services.KAFKA_BROKERS },
        "starting processor, web, dispatcher and simulator",
      );
      // The launcher's allow-list (loopback unless set) for both apps that check webhook targets.
      const webhooks = { ...services, WEBHOOK_ALLOWED_TARGETS: env.WEBHOOK_ALLOWED_TARGETS.text };
      if (env.WEBHOOK_ALLOWED_TARGETS.text) {
        logger.warn(
          { allowed: env.WEBHOOK_ALLOWED_TARGETS.text },
          "webhooks may call these targets despite the SSRF guard, over plain http too; set " +
            "WEBHOOK_ALLOWED_TARGETS=none for none",
        );
      }
      // The processor in two lanes, each its own process and consumer group: a minute's close
      // of the speed windows (a final window per truck) then never holds the positions' and
      // alerts' checkpoints (README "Processor lanes").
      const processor = {
        ...services,
        PROCESSOR_MAX_EVENT_AHEAD_MS: String(launcherMaxEventAheadMs(env)),
      };
      for (const [i, operators] of SPLIT_LANES.entries()) {
        launch(
          i === 0 ? "processor" : `processor-${operators.join("-")}`,
          ["apps/processor/src/main.ts"],
          {
            ...processor,
            PROCESSOR_OPERATORS: operators.join(","),
            // A port set for the processor is the first lane's; the others take a free one.
            ...(i > 0 && process.env.PROCESSOR_METRICS_PORT ? { PROCESSOR_METRICS_PORT: "0" } : {}),
          },
          PROCESSOR_NODE_FLAGS,
        );
      }
      launch(
        "web",
        ["apps/web/src/main.ts"],
        {
          ...webhooks,
          // The run's secret (generated unless set) and the demo's localhost binding.
          AUTH_SECRET: env.AUTH_SECRET,
          HOST: env.HOST,
          MAP_ROAD_NETWORK: roadNetwork(env) ? "builtin" : "none",
        },
        WEB_NODE_FLAGS,
      );
      launch("dispatcher", ["apps/dispatcher/src/main.ts"], webhooks);
      if (env.SIM_TRUCKS > 0) {
        launch(
          "simulator",
          [
            "apps/simulator/src/main.ts",
            "run",
            "--trucks",
            String(env.SIM_TRUCKS),
            "--speedup",
            String(env.SIM_SPEEDUP),
            "--seed",
            String(env.SIM_SEED),
            "--partitions",
            String(env.GPS_TOPIC_PARTITIONS),
            "--brokers",
            services.KAFKA_BROKERS ?? "",
          ],
          services,
        );
      }
    },
    stop: stopAll,
  };
});
