import { z } from "zod";
import {
  DEFAULT_DISABLE_AFTER,
  DEFAULT_RETRY_SCHEDULE,
  parseDuration,
  parseSchedule,
} from "./schedule";
import { type AllowList, parseAllowList } from "./ssrf";

/**
 * WEBHOOK_ALLOWED_TARGETS: hosts, addresses and networks exempt from the SSRF guard and the https
 * requirement ("127.0.0.0/8,::1,localhost"); empty = none. Read by the web app (registration)
 * and the dispatcher (every connection).
 */
export const allowedTargetsVar = (fallback = "") =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx): AllowList => {
      try {
        return parseAllowList(text);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message });
        return z.NEVER;
      }
    });

const durationVar = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      try {
        return parseDuration(text);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message });
        return z.NEVER;
      }
    });

/** The dispatcher's delivery settings; shared with the launchers (README "Configuration"). */
export const DispatcherSettings = z.object({
  WEBHOOK_ALLOWED_TARGETS: allowedTargetsVar(),
  /** Deadline of one attempt: connect, send, response headers and body. */
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** Delays before each retry, e.g. "5s,5m,30m,2h,5h,10h,10h"; plus 0–20 % jitter. */
  WEBHOOK_RETRY_SCHEDULE: z
    .string()
    .default(DEFAULT_RETRY_SCHEDULE)
    .transform((text, ctx) => {
      try {
        return parseSchedule(text);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message });
        return z.NEVER;
      }
    }),
  /** An endpoint failing continuously this long is disabled. */
  WEBHOOK_DISABLE_AFTER: durationVar(DEFAULT_DISABLE_AFTER),
  /** Attempts in flight per dispatcher, and per endpoint. */
  WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(10_000).default(256),
  WEBHOOK_ENDPOINT_CONCURRENCY: z.coerce.number().int().min(1).max(1_000).default(16),
  /** How often due retries (and deliveries queued by the web app) are looked for. */
  WEBHOOK_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(250),
  DISPATCHER_GROUP_ID: z.string().min(1).default("fleetstream-webhooks"),
});
export type DispatcherSettings = z.infer<typeof DispatcherSettings>;
