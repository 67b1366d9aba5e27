/**
 * A token bucket for an endpoint's rate limit: `rate` tokens per second, holding at most one
 * second's worth (so an idle endpoint gets a burst of at most `rate` deliveries).
 */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    readonly rate: number,
    now: number,
  ) {
    this.tokens = rate;
    this.at = now;
  }

  private refill(now: number): void {
    this.tokens = Math.min(this.rate, this.tokens + ((now - this.at) / 1_000) * this.rate);
    this.at = now;
  }

  /** Whole tokens available now. */
  available(now: number): number {
    this.refill(now);
    return Math.floor(this.tokens);
  }

  take(now: number): void {
    this.refill(now);
    this.tokens -= 1;
  }

  /** Milliseconds until a whole token is available. */
  msUntilToken(now: number): number {
    this.refill(now);
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.rate) * 1_000);
  }
}
