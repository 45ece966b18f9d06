/** Process tests run the product's entry points as users do (node + tsx), with none of the developer's settings. */
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';

const repoRoot = path.resolve(__dirname, '../..');

/** Only PATH, a scratch HOME and a Temporal config file that does not exist: every setting comes from `env`. */
const cleanEnv = {
  PATH: process.env.PATH ?? '',
  HOME: tmpdir(),
  TEMPORAL_CONFIG_FILE: path.join(tmpdir(), 'no-such-temporal.toml'),
};

export interface EntryExit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Spawns `entry` (a path from the repository root) and collects its output until it exits. */
export function spawnEntry(entry: string, env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: repoRoot,
    env: { ...cleanEnv, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<EntryExit>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, exited, output: () => stdout };
}
