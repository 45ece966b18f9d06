import { describe, expect, it } from 'vitest';
import { parseWorkerSettings } from '../../src/config';

const stickyIssues = (env: Record<string, string>) => {
  const parsed = parseWorkerSettings(env);
  return parsed.ok ? [] : parsed.issues.filter((issue) => issue.includes('WORKER_STICKY_TIMEOUT_MS'));
};

const provider = { GBG_CLIENT_ID: 'id', GBG_CLIENT_SECRET: 'secret' };
const stickyTimeoutMs = (env: Record<string, string>) => {
  const parsed = parseWorkerSettings({ ...provider, ...env });
  if (!parsed.ok) throw new Error(parsed.issues.join('; '));
  return parsed.value.stickyTimeoutMs;
};

describe('WORKER_STICKY_TIMEOUT_MS', () => {
  it('defaults to 5 s, half the SDK default of 10 s (docs/operating.md, "When a worker dies")', () => {
    expect(stickyTimeoutMs({})).toBe(5_000);
  });

  it('takes a duration from 1 s to 60 s', () => {
    expect(stickyIssues({ WORKER_STICKY_TIMEOUT_MS: '3s' })).toEqual([]);
    expect(stickyIssues({ WORKER_STICKY_TIMEOUT_MS: '60000' })).toEqual([]);
    expect(stickyTimeoutMs({ WORKER_STICKY_TIMEOUT_MS: '2s' })).toBe(2_000);
    expect(stickyTimeoutMs({ WORKER_STICKY_TIMEOUT_MS: '10000' })).toBe(10_000);
  });

  it('refuses a value outside 1000 to 60000, naming the variable', () => {
    expect(stickyIssues({ WORKER_STICKY_TIMEOUT_MS: '200' })).toHaveLength(1);
    expect(stickyIssues({ WORKER_STICKY_TIMEOUT_MS: '2m' })).toHaveLength(1);
  });
});
