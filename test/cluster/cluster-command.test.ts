/**
 * `npm run cluster` as an operator runs it: it prints where the cluster listens, and stopping npm stops the
 * cluster. A SIGTERM to npm reaches only the `sh -c` npm runs the script in, which dies without passing it on.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { eventually } from '../helpers/eventually';

const root = path.resolve(__dirname, '../..');

it('npm run cluster prints TEMPORAL_ADDRESS; SIGTERM to npm stops PostgreSQL and the server and removes the dir', async () => {
  const npm = spawn('npm', ['run', 'cluster'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  npm.stdout!.on('data', (d) => (output += d));
  npm.stderr!.on('data', (d) => (output += d));
  const exited = new Promise((resolve) => npm.once('exit', resolve));
  // Stops waiting as soon as npm exits: a cluster that fails to start fails the test with its output at once.
  const ready = await eventually(
    () => /stop: Ctrl-C \(or kill (\d+)\)/.exec(output) ?? (npm.exitCode !== null ? null : undefined),
    300_000,
    200,
  );
  expect(ready, output).toBeTruthy();
  const clusterPid = Number(ready![1]);
  const dir = /logs: (\S+)\/temporal-server\.log/.exec(output)![1]!;
  expect(output).toMatch(/^TEMPORAL_ADDRESS=127\.0\.0\.1:\d+$/m);
  expect(existsSync(dir)).toBe(true);
  try {
    npm.kill('SIGTERM');
    await exited;
    // The cluster removes its dir once PostgreSQL and the server have stopped.
    await eventually(() => (existsSync(dir) ? undefined : true), 60_000, 200);
    expect(existsSync(dir)).toBe(false);
  } finally {
    if (existsSync(dir)) process.kill(clusterPid, 'SIGTERM'); // not left running when this fails
  }
}, 400_000);
