/**
 * Access tokens cached per credential set: single-flight (concurrent callers share one token request),
 * refreshed shortly before expiry, invalidated after a 401. Tokens live only in this process's memory.
 */
export interface IssuedToken {
  accessToken: string;
  /** Lifetime in seconds, as the token endpoint said. */
  expiresInSec: number;
}

interface Entry {
  token: string;
  refreshAt: number;
}

export class TokenCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<string>>();

  constructor(
    private readonly now: () => number = Date.now,
    /** Refresh this long before expiry at most; never more than a tenth of the lifetime. */
    private readonly maxRefreshMarginMs = 60_000,
  ) {}

  /** A valid token for the key, fetching one (once, however many callers wait) when missing or about to expire. */
  async get(key: string, issue: () => Promise<IssuedToken>): Promise<string> {
    const entry = this.entries.get(key);
    if (entry && this.now() < entry.refreshAt) return entry.token;
    const pending = this.inflight.get(key);
    if (pending) return pending;
    const started = this.now();
    const request = issue()
      .then(({ accessToken, expiresInSec }) => {
        const lifetimeMs = Math.max(0, expiresInSec * 1000);
        const margin = Math.min(this.maxRefreshMarginMs, lifetimeMs / 10);
        this.entries.set(key, { token: accessToken, refreshAt: started + lifetimeMs - margin });
        return accessToken;
      })
      .finally(() => this.inflight.delete(key));
    this.inflight.set(key, request);
    return request;
  }

  /** After a 401: drop the token, unless another caller already replaced it. */
  invalidate(key: string, token: string): void {
    if (this.entries.get(key)?.token === token) this.entries.delete(key);
  }
}
