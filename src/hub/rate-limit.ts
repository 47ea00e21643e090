/** Per-token request budget: a token bucket that refills continuously. */
export interface RateLimitOptions {
  /** Requests a token may send at once after being idle. */
  burst: number;
  /** Sustained requests per second. */
  perSecond: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = { burst: 300, perSecond: 100 };

/** `take(key)` answers whether one more request fits, and if not, in how many whole seconds one will. */
export function createRateLimiter(options: RateLimitOptions, now: () => number = () => performance.now()) {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(key: string): { ok: true } | { ok: false; retryAfterS: number } {
      const t = now();
      const bucket = buckets.get(key) ?? { tokens: options.burst, at: t };
      bucket.tokens = Math.min(options.burst, bucket.tokens + ((t - bucket.at) / 1000) * options.perSecond);
      bucket.at = t;
      buckets.set(key, bucket);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return { ok: true };
      }
      return { ok: false, retryAfterS: Math.max(1, Math.ceil((1 - bucket.tokens) / options.perSecond)) };
    },
  };
}
