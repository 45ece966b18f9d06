import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BenchDocError, PERFORMANCE_DOC, replaceBenchBlocks, writePerformanceDoc } from '../../bench/performance-doc';

const page = readFileSync(PERFORMANCE_DOC, 'utf8');
const blocks = Object.fromEntries(
  [...page.matchAll(/<!-- bench:([a-z-]+) -->\n([\s\S]*?)\n<!-- \/bench:\1 -->/g)].map((m) => [m[1]!, m[2]!]),
);
const dir = mkdtempSync(path.join(tmpdir(), 'performance-doc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("docs/performance.md's bench tables", () => {
  it('has the blocks the bench writes, each opening with one dated line', () => {
    expect(Object.keys(blocks).sort()).toEqual(['cpu-per-unit', 'history', 'webhook']);
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
