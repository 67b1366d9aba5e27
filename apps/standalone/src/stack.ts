// `npm run stack`: the same product as separate processes (processor, web, simulator) on real
// Kafka and PostgreSQL. With KAFKA_BROKERS and DATABASE_URL both set it uses those; otherwise it
// starts the project-local broker and database of infra/ first (installing them when missing).
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createLogger, runMain } from "@fleetstream/service";
import { readLauncherEnv } from "./env";

const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));

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

await runMain("stack", () => {
  const env = readLauncherEnv();
  const logger = createLogger("stack", env.LOG_LEVEL);
  const children = new Map<string, ChildProcess>();
  let stopping = false;

  function launch(name: string, args: string[], extraEnv: Record<string, string>): void {
    // node --import tsx: the app is our direct child, so SIGTERM reaches it (npx would sit between).
    const child = spawn(process.execPath, ["--import", "tsx", ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...extraEnv },
      stdio: ["ignore", "inherit", "inherit"],
      // Own process group: a Ctrl-C in the terminal reaches only this launcher, which then
      // stops the apps one SIGTERM each, so each drains instead of seeing two signals.
      detached: true,
    });
    children.set(name, child);
    child.on("exit", (code, signal) => {
      children.delete(name);
      if (stopping) return;
      // One app down means the product is down: stop the rest and say which one failed.
      logger.error({ app: name, code, signal }, "app exited; stopping the stack");
      void stopAll().then(() => process.exit(1));
    });
  }

  async function stopAll(): Promise<void> {
    stopping = true;
    const exits = [...children.values()].map(
      (child) => new Promise((resolve) => child.once("exit", resolve)),
    );
    for (const child of children.values()) child.kill("SIGTERM");
    await Promise.all(exits);
  }

  return {
    async start() {
      const services =
        env.KAFKA_BROKERS && env.DATABASE_URL
          ? { KAFKA_BROKERS: env.KAFKA_BROKERS.join(","), DATABASE_URL: env.DATABASE_URL }
          : startLocalInfra();
      logger.info({ kafka: services.KAFKA_BROKERS }, "starting processor, web and simulator");
      launch("processor", ["apps/processor/src/main.ts"], services);
      launch("web", ["apps/web/src/main.ts"], services);
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
