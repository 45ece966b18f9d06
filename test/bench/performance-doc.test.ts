import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BenchResults } from '../../bench/main';
import {
  BenchDocError,
  PERFORMANCE_DOC,
  performanceBlocks,
  replaceBenchBlocks,
  writePerformanceDoc,
} from '../../bench/performance-doc';
import type { WaitingCostRow } from '../../bench/waiting-cost';

const page = readFileSync(PERFORMANCE_DOC, 'utf8');
const blocks = Object.fromEntries(
  [...page.matchAll(/<!-- bench:([a-z-]+) -->\n([\s\S]*?)\n<!-- \/bench:\1 -->/g)].map((m) => [m[1]!, m[2]!]),
);
const dir = mkdtempSync(path.join(tmpdir(), 'performance-doc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("docs/performance.md's bench tables", () => {
  it('has the blocks the bench writes, each opening with one dated line', () => {
    expect(Object.keys(blocks).sort()).toEqual(['cpu-per-unit', 'history', 'waiting-cost', 'webhook', 'webhook-soak']);
    for (const content of Object.values(blocks)) expect(content).toMatch(/^Measured \d{4}-\d{2}-\d{2} on \d+ cores/);
  });

  it('replaces only what is between the markers', () => {
    const doc = 'before\n<!-- bench:x -->\nold\n<!-- /bench:x -->\nafter\n';
    expect(replaceBenchBlocks(doc, { x: 'new' })).toBe('before\n<!-- bench:x -->\nnew\n<!-- /bench:x -->\nafter\n');
  });

  it('refuses a block the page lacks rather than dropping its table', () => {
    expect(() => replaceBenchBlocks('no markers', { history: 'table' })).toThrow(BenchDocError);
  });

  it('writes a new table in place and leaves the rest of the page as it was', () => {
    const copy = path.join(dir, 'performance.md');
    copyFileSync(PERFORMANCE_DOC, copy);
    writePerformanceDoc({ webhook: 'Measured 2030-01-01 on 4 cores. A webhook ends a journey 1 ms after…' }, copy);
    const written = readFileSync(copy, 'utf8');
    expect(written).toContain('<!-- bench:webhook -->\nMeasured 2030-01-01 on 4 cores. A webhook');
    expect(written.replace(/<!-- bench:webhook -->[\s\S]*?<!-- \/bench:webhook -->/, '')).toBe(
      page.replace(/<!-- bench:webhook -->[\s\S]*?<!-- \/bench:webhook -->/, ''),
    );
    writePerformanceDoc(blocks, copy);
    expect(readFileSync(copy, 'utf8')).toBe(page);
  });
});

const row = (r: Partial<WaitingCostRow> & Pick<WaitingCostRow, 'way' | 'hours' | 'polls' | 'actions' | 'bytes'>) =>
  ({ ended: 'expired', failedPolls: 0, events: 0, runs: 1, maxRunEvents: 0, failureBytes: 0, ...r }) as WaitingCostRow;
const tenSeconds = Array<number>(90).fill(10);
const waitingRun = (presetFirst15MinAsDefault: boolean): BenchResults => ({
  quick: false,
  startedAt: '2030-01-01T10:00:00.000Z',
  machine: { cpus: 2, memGiB: 24, node: 'v24', platform: 'linux x64' },
  setup: { server: '', worker: '', simulator: '' },
  errors: [],
  waitingCost: {
    wallSec: 1,
    presetFirst15MinAsDefault,
    rows: [
      row({
        way: 'default',
        hours: 24,
        polls: 8_000,
        actions: 16_000,
        bytes: 6_000_000,
        firstQuarterHourWaitsS: tenSeconds,
      }),
      row({ way: 'preset', hours: 24, polls: 400, actions: 960, bytes: 240_000, firstQuarterHourWaitsS: tenSeconds }),
      row({ way: 'naive', hours: 24, polls: 4_650, actions: 9_300, bytes: 9_000_000, ended: 'terminated' }),
      row({ way: 'default', hours: 1, outage: true, polls: 30, failedPolls: 30, actions: 92, bytes: 35_000 }),
    ],
  },
});
const cpuPage =
  '<!-- bench:cpu-per-unit -->\n| journey poll | 5 ms | 5 ms | 0.5 ms | 10.00 ms |\n<!-- /bench:cpu-per-unit -->';

describe('the waiting-cost block', () => {
  it("shows each journey's cost, CPU only for the product's measured polls, and the preset against the default", () => {
    const block = performanceBlocks(waitingRun(true), cpuPage)['waiting-cost']!;
    expect(block).toMatch(/^Measured 2030-01-01 on 2 cores/);
    expect(block).toContain('| 24 h | default | expired | 8,000 | 16,000 | 0 (1) | 6,000,000 | 80.0 s | 800 |');
    expect(block).toContain(
      '| 24 h | naive activity loop | terminated | 4,650 | 9,300 | 0 (1) | 9,000,000 | – | 465 |',
    );
    expect(block).toContain(
      '| 1 h of provider outage | default | expired | 30, all failed | 92 | 0 (1) | 35,000 | – | 4.60 |',
    );
    expect(block).toContain(
      "Over 24 h the preset makes 5.0 % of the default's polls (400 / 8,000), 6.0 % of its billable actions and 4.0 % of its history bytes",
    );
    expect(block).toContain('its first 15 minutes poll exactly as the default does (the same 90 waits, 10 s)');
  });

  it("names the webhook's p99 when the same run measured it", () => {
    const run = waitingRun(true);
    expect(performanceBlocks(run, cpuPage)['waiting-cost']).not.toContain('webhook through the receiver');
    const ms = (median: number, p99: number) => ({ median, p99 }) as never;
    run.webhook = { webhookToCompletionMs: ms(20, 68), pollOnlyToCompletionMs: ms(5_000, 9_900) } as never;
    expect(performanceBlocks(run, cpuPage)['waiting-cost']).toContain(
      'In the same run a webhook through the receiver ended a journey 20 ms (median; p99 68 ms)',
    );
  });

  it('says so when the first 15 minutes differ', () => {
    expect(performanceBlocks(waitingRun(false), cpuPage)['waiting-cost']).toContain(
      'its first 15 minutes do NOT poll as the default does',
    );
  });

  it("on the page: the preset's day costs at most 1/20 of the default's, first 15 minutes alike", () => {
    const ratio =
      /preset makes ([\d.]+) % of the default's polls .*?, ([\d.]+) % of its billable actions and ([\d.]+) % of its history bytes/.exec(
        blocks['waiting-cost'] ?? '',
      );
    expect(
      ratio
        ?.slice(1)
        .map(Number)
        .every((p) => p <= 5),
    ).toBe(true);
    expect(blocks['waiting-cost']).toContain('its first 15 minutes poll exactly as the default does');
  });
});

describe("the receiver's memory block", () => {
  const sample = (rssMb: number, heapUsedMb: number, newSpaceMb: number) => ({
    rssMb,
    heapTotalMb: 0,
    heapUsedMb,
    newSpaceMb,
    externalMb: 0,
  });
  const soak = (receiver: string, before: number, peak: number, afterRest: number) => ({
    options: { requests: 10_000, concurrency: 32, restMs: 20_000 },
    receiver,
    statuses: {},
    transportErrors: 0,
    rssMb: { before, peak, afterRest },
    memory: { before: sample(before, 46, 1), peak: sample(peak, 110.4, 128), afterRest: sample(afterRest, 37.6, 1) },
    durationMs: 12_000,
  });

  it('shows each way the receiver was started, RSS and heap before, at peak and after rest', () => {
    const run = {
      quick: false,
      startedAt: '2030-01-01T10:00:00.000Z',
      machine: { cpus: 2, memGiB: 24, node: 'v24', platform: 'linux x64' },
      setup: { server: '', worker: '', simulator: '' },
      errors: [],
      webhookSoak: [soak('plain node', 156, 332, 332), soak('shipped', 156, 313, 174)],
    } as unknown as BenchResults;
    const block = performanceBlocks(run)['webhook-soak']!;
    expect(block.split('\n')[0]).toBe(
      'Measured 2030-01-01 on 2 cores, 24 GiB; 10,000 webhooks, 32 at a time, then 20 s of rest.',
    );
    expect(block).toContain('| plain node | 156 / 332 / 332 | 46 / 110 / 38 | 128 → 1 |');
    expect(block).toContain('| shipped | 156 / 313 / 174 | 46 / 110 / 38 | 128 → 1 |');
  });
});
