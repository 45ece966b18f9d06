/** CLI tests run the CLI in process, on the test server's client with no environment, and read what it printed. */
import type { Client } from '@temporalio/client';
import { runCli, type CliDeps } from '../../src/cli';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

export async function runCliCaptured(
  client: Client,
  args: string[],
  deps: Pick<CliDeps, 'progressIntervalMs'> = {},
): Promise<CliRun> {
  let out = '';
  let err = '';
  const code = await runCli(args, {
    client,
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    env: {},
    ...deps,
  });
  return { code, out, err };
}
