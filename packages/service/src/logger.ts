import pino from "pino";

export type Logger = pino.Logger;

/** Structured logs: a fixed message plus a context object. Pretty only on a terminal. */
export function createLogger(name: string, level = "info"): Logger {
  const pretty = process.stdout.isTTY && process.env.NODE_ENV !== "production";
  return pino({
    name,
    level,
    ...(pretty
      ? {
          transport: { target: "pino-pretty", options: { colorize: true, ignore: "pid,hostname" } },
        }
      : {}),
  });
}
