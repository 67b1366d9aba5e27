import { backoffMs } from "./backoff";

/** The two log calls an Outage makes (a pino Logger fits). */
export interface OutageLog {
  warn(fields: object, message: string): void;
  info(fields: object, message: string): void;
}

/**
 * A dependency (Kafka, the database) as one client sees it. Callers report failures and
 * successes; it logs once when an outage starts and once when it ends, never per retry, and
 * hands out the capped exponential backoff (backoffMs) to wait before trying again. Callers that
 * fail while a wait is running share it, so they try again together, in the order they failed.
 */
export class Outage {
  private attempts = 0;
  private since = 0;
  private wait: Promise<void> | undefined;

  constructor(
    private readonly what: string,
    private readonly log: OutageLog,
    /** Longest wait: how late at most a retry notices that the dependency is back. */
    private readonly capMs = 5_000,
  ) {}

  get down(): boolean {
    return this.attempts > 0;
  }

  /** A call failed: logs if this starts an outage; resolves when it is time to try again. */
  failed(error: unknown): Promise<void> {
    if (this.attempts === 0) {
      this.since = Date.now();
      this.log.warn({ err: error }, `${this.what} unreachable; retrying with backoff`);
    }
    if (!this.wait) {
      this.attempts++;
      const ms = backoffMs(this.attempts, Math.random, this.capMs);
      this.wait = new Promise<void>((resolve) => setTimeout(resolve, ms)).finally(() => {
        this.wait = undefined;
      });
    }
    return this.wait;
  }

  /** A call succeeded: logs if this ends an outage. */
  ok(): void {
    if (this.attempts === 0) return;
    this.log.info({ downMs: Date.now() - this.since, retries: this.attempts }, `${this.what} back`);
    this.attempts = 0;
  }

  /**
   * Runs `call` until it succeeds, waiting out failures `retriable` accepts (default: all);
   * another failure, or any once `stopped()` says so, is thrown.
   */
  async retry<T>(
    call: () => Promise<T>,
    options: { retriable?: (error: unknown) => boolean; stopped?: () => boolean } = {},
  ): Promise<T> {
    for (;;) {
      try {
        const value = await call();
        this.ok();
        return value;
      } catch (error) {
        if (options.retriable?.(error) === false || options.stopped?.()) throw error;
        await this.failed(error);
      }
    }
  }
}
