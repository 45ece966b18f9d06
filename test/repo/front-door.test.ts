/**
 * The README stays a front door: short, with every docs/ page linked from its index, each page saying up front
 * whom it is for, and every relative link in them pointing at a file that exists.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.join(__dirname, '..', '..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
const readme = read('README.md');
const pages = readdirSync(path.join(root, 'docs'))
  .filter((name) => name.endsWith('.md'))
  .map((name) => `docs/${name}`);

/** The `## Documentation` section: from its heading to the next `## ` or the end. */
function documentationIndex(text: string): string {
  const start = text.indexOf('\n## Documentation\n');
  expect(start, 'README has a "## Documentation" section').toBeGreaterThan(-1);
  const end = text.indexOf('\n## ', start + 1);
  return text.slice(start, end === -1 ? undefined : end);
}

/** Relative link targets (`[text](target)`), without their `#fragment`. */
function relativeLinks(text: string): string[] {
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1]!.split('#')[0]!)
    .filter((target) => target !== '' && !/^[a-z]+:/.test(target));
}

describe('the front door', () => {
  it('README.md is at most 250 lines', () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(250);
  });

  it('links every docs/ page and CONTRIBUTING.md from its documentation index', () => {
    expect(pages.length).toBeGreaterThanOrEqual(8);
    const index = documentationIndex(readme);
    const linked = new Set(relativeLinks(index).map((target) => path.posix.normalize(target)));
    expect([...pages, 'CONTRIBUTING.md'].filter((page) => !linked.has(page))).toEqual([]);
  });

  it.each(pages)('%s opens by saying whom it is for', (page) => {
    const [title, blank, opening] = read(page).split('\n');
    expect(title).toMatch(/^# /);
    expect(blank).toBe('');
    expect(opening).toMatch(/^For: \S/);
  });

  it.each(['README.md', 'CONTRIBUTING.md', ...pages])('%s links only to files that exist', (file) => {
    const dir = path.dirname(path.join(root, file));
    expect(relativeLinks(read(file)).filter((target) => !existsSync(path.join(dir, target)))).toEqual([]);
  });
});
