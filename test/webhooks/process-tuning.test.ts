/**
 * The receiver's idle GC: one full GC once it has been idle after its resident memory grew, none while requests arrive or when
 * the resident memory did not grow; its timer never keeps the process alive.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { idleGcDue, startIdleGc, type IdleGcPolicy } from '../../src/webhooks/process-tuning';

const MiB = 1024 * 1024;
const policy: IdleGcPolicy = { idleMs: 5_000, growthBytes: 32 * MiB, checkEveryMs: 60_000 };

describe('idleGcDue', () => {
  const grown = { lastRequestMs: 1_000, rssBytes: 80 * MiB, rssAfterLastGcBytes: 40 * MiB };

  it('is due once the receiver has been idle for idleMs after its resident memory grew by growthBytes', () => {
    expect(idleGcDue(policy, { ...grown, nowMs: 6_000 })).toBe(true);
    expect(idleGcDue(policy, { ...grown, nowMs: 5_999 })).toBe(false);
  });

  it('is not due when the resident memory grew by less than growthBytes', () => {
    expect(idleGcDue(policy, { ...grown, rssBytes: 72 * MiB - 1, nowMs: 60_000 })).toBe(false);
    expect(idleGcDue(policy, { ...grown, rssBytes: 72 * MiB, nowMs: 60_000 })).toBe(true);
  });
});

describe('startIdleGc', () => {
  function fixture() {
    let nowMs = 0;
    let rss = 40 * MiB;
    const collections: [number, number, number][] = [];
    const idle = startIdleGc({
      policy,
      now: () => nowMs,
      rssBytes: () => rss,
      gc: () => {
        rss = 38 * MiB;
        nowMs += 40;
      },
      onCollect: (before, after, pauseMs) => collections.push([before, after, pauseMs]),
    });
    return {
      idle,
      collections,
      at: (ms: number) => (nowMs = ms),
      grow: (bytes: number) => (rss += bytes),
    };
  }

  it('collects once after idle, with the resident memory before and after and its pause, and not again until the resident memory grows again', () => {
    const f = fixture();
    f.grow(50 * MiB);
    f.at(4_999);
    expect(f.idle.check()).toBe(false);
    f.at(5_000);
    expect(f.idle.check()).toBe(true);
    expect(f.collections).toEqual([[90 * MiB, 38 * MiB, 40]]);
    f.at(20_000);
    expect(f.idle.check()).toBe(false);
    f.grow(40 * MiB);
    expect(f.idle.check()).toBe(true);
    expect(f.collections).toHaveLength(2);
    f.idle.stop();
  });

  it('never collects while requests keep arriving', () => {
    const f = fixture();
    f.grow(100 * MiB);
    for (let ms = 1_000; ms <= 60_000; ms += 1_000) {
      f.at(ms);
      f.idle.touch();
      f.at(ms + 999);
      expect(f.idle.check()).toBe(false);
    }
    f.at(60_000 + 5_000);
    expect(f.idle.check()).toBe(true);
    f.idle.stop();
  });

  it('does not keep the process alive', () => {
    const root = path.join(__dirname, '../..');
    const script = `require('./src/webhooks/process-tuning').startIdleGc({ gc() {} }); console.log('started');`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.signal, r.stderr).toBeNull();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('started');
  });
});
