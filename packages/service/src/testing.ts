import { type ChildProcess, spawn } from "node:child_process";
import { type AddressInfo, createServer, Socket } from "node:net";

// For tests and benchmarks: an app started as its own process, as in production.

export interface AppProcess {
  readonly child: ChildProcess;
  /** Sends the signal (SIGKILL for a crash) and resolves once the process has exited. */
  kill(signal: NodeJS.Signals): Promise<void>;
}

/**
 * `node [nodeArgs] --import tsx <entry>` in `cwd`, with `env` over this process's environment,
 * stdout and stderr to `output`. The app itself is the child (no npx in between), so a SIGKILL
 * reaches it.
 */
export function startAppProcess(options: {
  entry: string;
  cwd: string;
  env: Record<string, string>;
  output?: (chunk: Buffer) => void;
  /** Extra flags for node, e.g. --cpu-prof. */
  nodeArgs?: string[];
}): AppProcess {
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), "--import", "tsx", options.entry],
    {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const output = options.output ?? (() => {});
  child.stdout.on("data", output);
  child.stderr.on("data", output);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    child,
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/**
 * A local port nothing listens on (bound once here, then released): for an app to listen on, or
 * for a dependency that is "down" (connections to it are refused).
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The status of a GET of `url`, or 0 while nothing answers there (not listening yet). */
export function httpStatus(url: string): Promise<number> {
  return fetch(url).then(
    (response) => response.status,
    () => 0,
  );
}

/**
 * Listens on `port` and relays each connection to the first of `targets` ("host:port") that
 * accepts it, until closed: a dependency that comes back (one target), or a load balancer in
 * front of several app instances that fails over when one is gone (several).
 */
export async function tcpRelay(
  port: number,
  targets: string | readonly string[],
): Promise<{ close(): Promise<void> }> {
  const candidates = typeof targets === "string" ? [targets] : targets;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    client.pause();
    sockets.add(client);
    const connect = (index: number) => {
      const target = candidates[index];
      if (target === undefined || client.destroyed) {
        client.destroy();
        sockets.delete(client);
        return;
      }
      const [host, targetPort] = target.split(":") as [string, string];
      const upstream = new Socket();
      upstream.once("error", () => connect(index + 1));
      upstream.connect(Number(targetPort), host, () => {
        upstream.removeAllListeners("error");
        sockets.add(upstream);
        const close = () => {
          for (const socket of [client, upstream]) {
            socket.destroy();
            sockets.delete(socket);
          }
        };
        for (const socket of [client, upstream]) {
          socket.on("error", close);
          socket.on("close", close);
        }
        client.pipe(upstream).pipe(client);
      });
    };
    connect(0);
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    async close() {
      const closed = new Promise((resolve) => server.close(resolve));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
