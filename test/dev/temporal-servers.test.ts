import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, chmodSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { INSTALL_HINT, ServerUnavailableError, withStartRetries } from '../../dev/temporal-servers';

const repoRoot = path.join(__dirname, '..', '..');

/** A scratch directory removed when the test ends. */
function scratchDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ja-bin-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Resolves both executables in a child process with the given env (the module reads env at load time). */
function resolveIn(env: NodeJS.ProcessEnv): { timeSkipping: unknown; dev: unknown } {
  const script = `
    const s = require(${JSON.stringify(path.join(repoRoot, 'dev/temporal-servers.ts'))});
    Promise.all([s.timeSkippingServerExecutable(), s.devServerExecutable()])
      .then(([timeSkipping, dev]) => console.log(JSON.stringify({ timeSkipping, dev })));`;
  const result = spawnSync(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', script], {
    env,
    encoding: 'utf8',
  });
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout.trim().split('\n').at(-1)!);
}

describe('server resolution order', () => {
  it('an explicit path wins', () => {
    const dir = scratchDir();
    const fake = path.join(dir, 'fake-server');
    writeFileSync(fake, '#!/bin/sh\n');
    chmodSync(fake, 0o755);
    const resolved = resolveIn({
      PATH: process.env.PATH,
      TEMPORAL_BIN_DIR: dir,
      TEMPORAL_TEST_SERVER_PATH: fake,
      TEMPORAL_CLI_PATH: fake,
    });
    expect(resolved).toEqual({
      timeSkipping: { type: 'existing-path', path: fake },
      dev: { type: 'existing-path', path: fake },
    });
  });

  it("falls back to the SDK's download when nothing is cached and no toolchain is on PATH", () => {
    const emptyBinDir = scratchDir();
    const resolved = resolveIn({ PATH: emptyBinDir, TEMPORAL_BIN_DIR: emptyBinDir });
    expect(resolved).toEqual({ timeSkipping: { type: 'cached-download' }, dev: { type: 'cached-download' } });
  });

  it('a missing explicit path is a clear error', () => {
    const script = `require(${JSON.stringify(path.join(repoRoot, 'dev/temporal-servers.ts'))}).timeSkippingServerExecutable().catch((e) => { console.log(e.message); })`;
    const result = spawnSync(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', script], {
      env: { PATH: process.env.PATH, TEMPORAL_TEST_SERVER_PATH: '/nonexistent/server' },
      encoding: 'utf8',
    });
    expect(result.stdout.trim()).toBe('TEMPORAL_TEST_SERVER_PATH=/nonexistent/server does not exist');
  });
});

describe('withStartRetries', () => {
  it('retries a failed cold start, then succeeds', async () => {
    let calls = 0;
    const started = await withStartRetries({ type: 'existing-path', path: '/x' }, async () => {
      if (++calls < 3) throw new Error('Failed connecting to test server after 5 seconds');
      return 'up';
    });
    expect([started, calls]).toEqual(['up', 3]);
  });

  it('says what to install when the download route fails too', async () => {
    const failing = withStartRetries({ type: 'cached-download' }, async () => {
      throw new Error('error sending request for url (https://temporal.download/…)');
    });
    await expect(failing).rejects.toThrow(ServerUnavailableError);
    await expect(failing).rejects.toThrow(INSTALL_HINT);
  });
});
