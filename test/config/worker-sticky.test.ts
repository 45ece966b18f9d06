import { describe, expect, it } from 'vitest';
import { parseWorkerSettings } from '../../src/config';

const stickyIssues = (env: Record<string, string>) => {
  const parsed = parseWorkerSettings(env);
  return parsed.ok ? [] : parsed.issues.filter((issue) => issue.includes('WORKER_STICKY_TIMEOUT_MS'));
};

describe('WORKER_STICKY_TIMEOUT_MS', () => {
  it('takes a duration from 1 s to 60 s', () => {
    expect(stickyIssues({ WORKER_STICKY_TIMEOUT_MS: '3s' })).toEqual([]);
    expect(stickyIssues({ WORKER_STICKY_TIMEOUT_MS: '60000' })).toEqual([]);
  });

  it('refuses a value outside 1000 to 60000, naming the variable', () => {
    expect(stickyIssues({ WORKER_STICKY_TIMEOUT_MS: '200' })).toHaveLength(1);
    expect(stickyIssues({ WORKER_STICKY_TIMEOUT_MS: '2m' })).toHaveLength(1);
  });
});
