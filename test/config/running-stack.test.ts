/** The CLI finds the running `npm start` stack through stack.json, in STACK_DATA_DIR when that is set. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { useRunningStackSettings, type Env, type StackInfo } from '../../src/config';

const dataDir = mkdtempSync(path.join(tmpdir(), 'journey-await-running-stack-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function writeStack(pid: number): void {
  const info: Pick<StackInfo, 'pid' | 'env'> = {
    pid,
    env: { TEMPORAL_ADDRESS: '127.0.0.1:17233', JOURNEY_TASK_QUEUE: 'second-stack' },
  };
  writeFileSync(path.join(dataDir, 'stack.json'), JSON.stringify(info));
}

describe('useRunningStackSettings', () => {
  it('takes the address and task queue of the stack in STACK_DATA_DIR, and only when it is alive', () => {
    writeStack(process.pid);
    const env: Env = { STACK_DATA_DIR: dataDir };
    expect(useRunningStackSettings(env)?.pid).toBe(process.pid);
    expect(env).toMatchObject({ TEMPORAL_ADDRESS: '127.0.0.1:17233', JOURNEY_TASK_QUEUE: 'second-stack' });

    writeStack(2 ** 22 + 1); // above Linux's largest pid: a stack that is gone
    const stale: Env = { STACK_DATA_DIR: dataDir };
    expect(useRunningStackSettings(stale)).toBeUndefined();
    expect(stale.TEMPORAL_ADDRESS).toBeUndefined();
  });

  it('leaves a configured connection alone', () => {
    writeStack(process.pid);
    const env: Env = { STACK_DATA_DIR: dataDir, TEMPORAL_ADDRESS: 'temporal.example:7233' };
    expect(useRunningStackSettings(env)).toBeUndefined();
    expect(env.TEMPORAL_ADDRESS).toBe('temporal.example:7233');
  });
});
