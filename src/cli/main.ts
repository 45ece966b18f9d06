#!/usr/bin/env node
/**
 * `journey-await` CLI (`npm run client -- <command> …`).
 *
 *   journey-await start  <provider> <journeyId> [--environment E] [--deadline ISO] [--interval 10s]
 *   journey-await status <provider> <journeyId>
 *   journey-await result <provider> <journeyId> [--wait [--timeout 30m]]
 *   journey-await signal <provider> <journeyId> [--event-id ID] [--provider-status S]
 *   journey-await list   [--provider P] [--status S] [--running|--closed] [--limit N]
 *
 * `<provider> <journeyId>` may also be written as the workflow id `journey:<provider>:<journeyId>`.
 * Common options: --json (machine-readable output), --task-queue Q (JOURNEY_TASK_QUEUE), --profile P (temporal.toml).
 * Exit codes: 0 done (or the command succeeded), 1 journey failed/expired/aborted, 2 usage or configuration error,
 * 3 journey not found, 4 still running (`result` without --wait, or --timeout reached), 5 Temporal unreachable.
 */
import { processEnv, useRunningStackSettings } from '../config';
import { runCli } from './run';

/** The `journey-await` command (bin, and `npm run client --`). */
export async function main(): Promise<never> {
  // With no Temporal configured, operate the local stack `npm start` runs (its address and encryption keys).
  const env = processEnv();
  useRunningStackSettings(env);
  process.exit(await runCli(process.argv.slice(2), { env }));
}

if (require.main === module) void main();
