/**
 * The npm scripts that run a process (`npm run worker`, `webhooks`, `simulator`, `codec-server`, `client`, `start`,
 * `demo`, `cluster`) exec it: a SIGTERM to npm reaches the process itself. Through `sh -c` without exec, npm's
 * SIGTERM killed only the shell and the process ran on, orphaned (a worker kept polling).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RECEIVER_NODE_FLAGS } from '../../src/webhooks/process-tuning';
import { eventually } from '../helpers/eventually';
import { freePort } from '../helpers/free-ports';

const root = path.resolve(__dirname, '..', '..');
const scripts = (
  JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts;

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(!!socket.end()));
    socket.once('error', () => resolve(false));
  });

describe('npm scripts', () => {
  it.each(['worker', 'webhooks', 'simulator', 'codec-server', 'client', 'start', 'demo', 'cluster'])(
    '%s execs its process',
    (name) => {
      // Node flags before the loader: the receiver's memory tuning (src/webhooks/process-tuning.ts).
      expect(scripts[name]).toMatch(/^exec node (--[\w-]+(=\S+)? )*--import tsx \S+\.ts$/);
    },
  );

  it('starts the webhook receiver with its memory tuning', () => {
    expect(scripts.webhooks).toBe(`exec node ${RECEIVER_NODE_FLAGS.join(' ')} --import tsx src/webhooks/main.ts`);
  });

  it('SIGTERM to `npm run simulator` stops the simulator, not only npm', async () => {
    const port = await freePort();
    const npm = spawn('npm', ['run', '-s', 'simulator'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? root, SIMULATOR_PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    npm.stdout.on('data', (d) => (output += d));
    npm.stderr.on('data', (d) => (output += d));
    try {
      expect(
        await eventually(() => (npm.exitCode === null && output.includes(`:${port}`) ? true : undefined), 60_000),
        output,
      ).toBe(true);
      expect(await listening(port)).toBe(true);
      npm.kill('SIGTERM');
      await new Promise((resolve) => npm.once('close', resolve));
      expect(await eventually(async () => ((await listening(port)) ? undefined : true), 10_000)).toBe(true);
    } finally {
      npm.kill('SIGKILL');
    }
  });
});
