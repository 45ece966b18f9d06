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
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Client } from '@temporalio/client';
import {
  AwaitTimeoutError,
  awaitJourneyResult,
  connectClient,
  getJourneyProgress,
  JourneyNotFoundError,
  JourneyWorkflowFailedError,
  listJourneys,
  signalJourneyWebhook,
  startJourneyAwait,
  TemporalUnavailableError,
  type JourneyStatusReport,
} from './client';
import { clientSettingsFromEnv, ConfigError, processEnv, useRunningStackSettings } from './config';
import { JOURNEY_STATUSES, PROVIDERS, type JourneyProvider, type JourneyState, type JourneyStatus } from './journey';
import { InvalidJourneyInputError, journeyIdProblem, validateJourneyInput } from './journey-input';
import type { AwaitJourneyInput, JourneyProgress } from './shared';

export const EXIT = { DONE: 0, JOURNEY_FAILED: 1, USAGE: 2, NOT_FOUND: 3, STILL_RUNNING: 4, UNAVAILABLE: 5 } as const;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface CliDeps {
  /** An existing client (tests); otherwise one is connected from envconfig. */
  client?: Client;
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
  env?: Record<string, string | undefined>;
  /** Progress polling interval for `result --wait` (default 1 s). */
  progressIntervalMs?: number;
}

const USAGE = `usage: journey-await <command> [options]

commands:
  start  <provider> <journeyId>   start waiting for a journey (idempotent)
         [--environment E] [--deadline 2030-01-31T18:00:00Z]
         [--interval 10s (1s–1h)] [--error-backoff 5s (0–10m)] [--max-errors 30 (1–1000)]
  status <provider> <journeyId>   where the journey stands (polls, errors, next poll, last state)
  result <provider> <journeyId>   the final normalised state  [--wait [--timeout 30m]]
  signal <provider> <journeyId>   wake the journey as a webhook would  [--event-id ID] [--provider-status S]
  list                            journeys  [--provider P] [--status S] [--running|--closed] [--limit N]

providers: ${PROVIDERS.join(', ')}     statuses: ${JOURNEY_STATUSES.join(', ')}
options: --json  --task-queue Q  --profile P  --help
exit codes: 0 done, 1 journey failed/expired/aborted, 2 usage/config error, 3 not found, 4 still running, 5 Temporal unreachable`;

const OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  'task-queue': { type: 'string' },
  profile: { type: 'string' },
  environment: { type: 'string' },
  deadline: { type: 'string' },
  interval: { type: 'string' },
  'error-backoff': { type: 'string' },
  'max-errors': { type: 'string' },
  wait: { type: 'boolean', short: 'w' },
  timeout: { type: 'string' },
  'event-id': { type: 'string' },
  'provider-status': { type: 'string' },
  provider: { type: 'string' },
  status: { type: 'string' },
  running: { type: 'boolean' },
  closed: { type: 'boolean' },
  limit: { type: 'string' },
} satisfies ParseArgsConfig['options'];

/** How the CLI spells each field of the journey input contract, for its error messages. */
const OPTION_OF_FIELD: Record<string, string> = {
  journeyId: '<journeyId>',
  provider: '<provider>',
  environment: '--environment',
  deadline: '--deadline',
  'polling.baseIntervalMs': '--interval',
  'polling.errorBackoffMs': '--error-backoff',
  'polling.maxConsecutiveErrors': '--max-errors',
};

/** `10s`, `500ms`, `2m`, `1h` or plain milliseconds. */
export function parseDuration(text: string, name: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new UsageError(`--${name}: expected a duration like 10s, 500ms, 2m (got ${JSON.stringify(text)})`);
  const n = Number(m[1]);
  const unit = m[2] ?? 'ms';
  return Math.round(n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit]!);
}

function journeyRef(positionals: string[]): { provider: JourneyProvider; journeyId: string } {
  let [provider, journeyId] = positionals;
  if (positionals.length === 1 && provider?.startsWith('journey:')) {
    const m = /^journey:([^:]+):(.+)$/.exec(provider);
    [provider, journeyId] = m ? [m[1], m[2]] : [provider, undefined];
  }
  if (!provider || !journeyId) throw new UsageError('expected <provider> <journeyId> (or journey:<provider>:<journeyId>)');
  if (positionals.length > 2) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[2])}`);
  if (!(PROVIDERS as readonly string[]).includes(provider)) throw new UsageError(`unknown provider ${JSON.stringify(provider)} (use ${PROVIDERS.join(', ')})`);
  const idProblem = journeyIdProblem(journeyId);
  if (idProblem) throw new InvalidJourneyInputError('journeyId', idProblem);
  return { provider: provider as JourneyProvider, journeyId };
}

function until(iso: string, now = Date.now()): string {
  const s = Math.round((Date.parse(iso) - now) / 1000);
  return s > 0 ? `in ${s}s` : 'due now';
}

/** One readable line of progress, e.g. `in_progress · poll #3 · errors 1/30 (FetchFailed: …) · next poll in 8s · webhooks 1`. */
export function progressLine(p: JourneyProgress, maxErrors = 30): string {
  const parts = [p.status, `poll #${p.polls}`, `errors ${p.consecutiveErrors}/${maxErrors}`];
  if (p.lastError && p.consecutiveErrors > 0) parts[2] += ` (${p.lastError.slice(0, 120)})`;
  if (p.nextPollAt) parts.push(`next poll ${until(p.nextPollAt)}`);
  parts.push(`webhooks ${p.webhooksReceived}`);
  if (p.lastState?.providerStatus) parts.push(`provider says ${p.lastState.providerStatus}`);
  return parts.join(' · ');
}

function stateLines(s: JourneyState): string[] {
  const lines = [
    `status:          ${s.status}${s.terminal ? ' (final)' : ''}`,
    `decision:        ${s.decision}${s.outcome ? ` (${s.outcome})` : ''}`,
    `provider status: ${s.providerStatus}`,
    `decided by:      ${s.source}`,
  ];
  if (s.journey?.name) lines.push(`journey:         ${s.journey.name}${s.journey.version ? ` v${s.journey.version}` : ''}`);
  if (s.completedAt) lines.push(`completed at:    ${s.completedAt}${s.durationMs !== undefined ? ` (${Math.round(s.durationMs / 1000)}s)` : ''}`);
  if (s.steps.length) lines.push(`steps:           ${s.steps.map((st) => `${st.id}${st.outcome ? `=${st.outcome}` : st.status ? `=${st.status}` : ''}`).join(', ')}`);
  lines.push(`observed at:     ${s.observedAt}`);
  return lines;
}

function exitForState(s: JourneyState): number {
  return s.status === 'completed' ? EXIT.DONE : s.status === 'in_progress' ? EXIT.STILL_RUNNING : EXIT.JOURNEY_FAILED;
}

function statusLines(r: JourneyStatusReport): string[] {
  const lines = [
    `${r.workflowId}`,
    `execution:       ${r.executionStatus}${r.closeTime ? ` (closed ${r.closeTime})` : ` (started ${r.startTime})`}`,
  ];
  if (r.journeyStatus) lines.push(`journey status:  ${r.journeyStatus}`);
  if (r.progress) lines.push(`progress:        ${progressLine(r.progress)}`);
  if (r.progress?.lastError) lines.push(`last error:      ${r.progress.lastError}`);
  if (r.result) lines.push(...stateLines(r.result));
  if (r.failure) lines.push(`failure:         ${r.failure.type ? `${r.failure.type}: ` : ''}${r.failure.message}`);
  return lines;
}

/** Runs one CLI invocation and returns its exit code (never calls process.exit itself). */
export async function runCli(argv: string[], deps: CliDeps = {}): Promise<number> {
  const out = deps.stdout ?? ((t: string) => process.stdout.write(t));
  const err = deps.stderr ?? ((t: string) => process.stderr.write(t));
  const println = (t = '') => out(`${t}\n`);
  const eprintln = (t: string) => err(`${t}\n`);
  let json = argv.includes('--json');
  let client = deps.client;
  const owned = !client;
  try {
    const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    json = values.json ?? false;
    const [command, ...rest] = positionals;
    if (values.help || command === 'help') {
      println(USAGE);
      return EXIT.DONE;
    }
    if (!command) throw new UsageError('missing command');
    if (!['start', 'status', 'result', 'signal', 'list'].includes(command)) throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    const settings = clientSettingsFromEnv(deps.env ?? processEnv());
    const taskQueue = values['task-queue'] ?? settings.taskQueue;
    const emit = (data: unknown, lines: string[]) => (json ? println(JSON.stringify(data, null, 2)) : lines.forEach((l) => println(l)));

    // Validate everything before connecting, so usage errors never wait on the network.
    const ref = command === 'list' ? undefined : journeyRef(rest);
    if (command === 'list' && rest.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(rest[0])}`);
    const connect = async () => (client ??= await connectClient(values.profile ? { profile: values.profile } : {}));

    switch (command) {
      case 'start': {
        const polling: AwaitJourneyInput['polling'] = {};
        if (values.interval) polling.baseIntervalMs = parseDuration(values.interval, 'interval');
        if (values['error-backoff']) polling.errorBackoffMs = parseDuration(values['error-backoff'], 'error-backoff');
        if (values['max-errors']) polling.maxConsecutiveErrors = Number(values['max-errors']);
        const input: AwaitJourneyInput = {
          ...ref!,
          ...(values.environment !== undefined ? { environment: values.environment } : {}),
          ...(Object.keys(polling).length ? { polling } : {}),
          ...(values.deadline !== undefined ? { deadline: values.deadline } : {}),
        };
        // The journey input contract, before connecting (the start checks it again).
        validateJourneyInput(input, { now: Date.now() });
        const r = await startJourneyAwait(await connect(), input, { taskQueue });
        emit(r, [r.alreadyFinished ? `${r.workflowId} has already finished (not started again); see: journey-await result ${ref!.provider} ${ref!.journeyId}` : `started ${r.workflowId} (run ${r.runId})`]);
        return EXIT.DONE;
      }
      case 'status': {
        const r = await getJourneyProgress(await connect(), ref!);
        emit(r, statusLines(r));
        return EXIT.DONE;
      }
      case 'result': {
        const c = await connect();
        if (!values.wait) {
          const r = await getJourneyProgress(c, ref!);
          if (r.result) {
            emit(r.result, stateLines(r.result));
            return exitForState(r.result);
          }
          if (r.failure) {
            emit({ workflowId: r.workflowId, executionStatus: r.executionStatus, failure: r.failure }, statusLines(r));
            return EXIT.JOURNEY_FAILED;
          }
          emit(r, [...statusLines(r), 'still running (use --wait to wait for the result)']);
          return EXIT.STILL_RUNNING;
        }
        const timeoutMs = values.timeout ? parseDuration(values.timeout, 'timeout') : undefined;
        const state = await awaitJourneyResult(c, ref!, {
          progressIntervalMs: deps.progressIntervalMs ?? 1_000,
          ...(timeoutMs ? { timeoutMs } : {}),
          onProgress: (p) => (json ? eprintln(JSON.stringify({ progress: p })) : eprintln(`… ${progressLine(p)}`)),
        });
        emit(state, stateLines(state));
        return exitForState(state);
      }
      case 'signal': {
        const outcome = await signalJourneyWebhook(
          await connect(),
          ref!,
          {
            ...(values['event-id'] ? { eventId: values['event-id'] } : {}),
            ...(values['provider-status'] ? { providerStatus: values['provider-status'] } : {}),
            receivedAt: new Date().toISOString(),
          },
          { taskQueue },
        );
        emit({ outcome }, [outcome === 'signalled' ? 'signalled: the journey fetches its state now' : 'the journey has already finished: nothing to wake']);
        return EXIT.DONE;
      }
      case 'list': {
        if (values.provider && !(PROVIDERS as readonly string[]).includes(values.provider)) throw new UsageError(`--provider: unknown provider ${JSON.stringify(values.provider)}`);
        if (values.status && !(JOURNEY_STATUSES as readonly string[]).includes(values.status)) throw new UsageError(`--status: unknown status ${JSON.stringify(values.status)}`);
        if (values.running && values.closed) throw new UsageError('--running and --closed exclude each other');
        const limit = values.limit ? Number(values.limit) : 100;
        if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit: expected a positive integer');
        const rows = await listJourneys(await connect(), {
          ...(values.provider ? { provider: values.provider as JourneyProvider } : {}),
          ...(values.status ? { status: values.status as JourneyStatus } : {}),
          ...(values.running ? { running: true } : values.closed ? { running: false } : {}),
          limit,
        });
        emit(rows, rows.length ? rows.map((r) => `${r.workflowId.padEnd(48)} ${r.executionStatus.padEnd(10)} ${(r.journeyStatus ?? '').padEnd(12)} ${r.startTime}`) : ['no journeys']);
        return EXIT.DONE;
      }
    }
    return EXIT.USAGE;
  } catch (e) {
    const fail = (code: number, kind: string, message: string, extra: Record<string, unknown> = {}) => {
      if (json) println(JSON.stringify({ error: { kind, message, ...extra } }, null, 2));
      else eprintln(`journey-await: ${message}`);
      return code;
    };
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      const code = fail(EXIT.USAGE, 'usage', (e as Error).message);
      if (!json) eprintln(`run "journey-await --help" for usage`);
      return code;
    }
    if (e instanceof InvalidJourneyInputError) return fail(EXIT.USAGE, 'invalid_input', `${OPTION_OF_FIELD[e.field] ?? e.field}: ${e.problem}`, { field: e.field });
    if (e instanceof ConfigError) return fail(EXIT.USAGE, 'config', e.message);
    if (e instanceof JourneyNotFoundError) return fail(EXIT.NOT_FOUND, 'not_found', e.message, { workflowId: e.workflowId });
    if (e instanceof JourneyWorkflowFailedError) {
      return fail(EXIT.JOURNEY_FAILED, 'journey_failed', `${e.workflowId} failed: ${e.failureType ? `${e.failureType}: ` : ''}${e.message}`, {
        workflowId: e.workflowId,
        failureType: e.failureType,
      });
    }
    if (e instanceof AwaitTimeoutError) return fail(EXIT.STILL_RUNNING, 'timeout', e.message);
    if (e instanceof TemporalUnavailableError) return fail(EXIT.UNAVAILABLE, 'temporal_unavailable', e.message);
    if (e instanceof Error && /config|toml|TEMPORAL_/i.test(e.message) && e.name !== 'ServiceError') return fail(EXIT.USAGE, 'config', e.message);
    return fail(EXIT.UNAVAILABLE, 'error', e instanceof Error ? `${e.name}: ${e.message}` : String(e));
  } finally {
    if (owned && client) await client.connection.close().catch(() => {});
  }
}

/** The `journey-await` command (bin, and `npm run client --`). */
export async function main(): Promise<never> {
  // With no Temporal configured, operate the local stack `npm start` runs (its address and encryption keys).
  useRunningStackSettings(processEnv());
  process.exit(await runCli(process.argv.slice(2)));
}

if (require.main === module) void main();
