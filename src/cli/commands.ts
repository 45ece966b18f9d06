/**
 * The CLI's commands, one function each, and the table runCli dispatches on. Each validates its own options
 * before connecting (usage errors never wait on the network), calls the client library, prints and returns its
 * exit code.
 */
import type { Client } from '@temporalio/client';
import {
  awaitJourneyResult,
  checkRedriveFilter,
  getJourneyStatus,
  listJourneys,
  redriveJourneys,
  REDRIVE_FAILURE_TYPES,
  signalJourneyWebhook,
  startJourneyAwait,
  type ListJourneysOptions,
  type RedriveFailureType,
  type RedriveFilter,
  type RedriveReport,
} from '../client';
import { checkOptionalBounded, checkWebhook } from '../client/arguments';
import type { AwaitJourneyInput } from '../contract/input';
import { validateJourneyInput } from '../contract/input';
import type { JourneyState } from '../contract/journey-state';
import {
  DECISIONS,
  JOURNEY_STATUS_ATTRIBUTE_VALUES,
  PROVIDERS,
  type JourneyDecision,
  type JourneyProvider,
  type JourneyStatusAttribute,
} from '../contract/vocabulary';
import {
  EXIT,
  parseCount,
  parseDuration,
  parseTimeOrAgo,
  REDRIVE_CONFIRM_ABOVE,
  slowdownOptions,
  UsageError,
  type Command,
  type OptionValues,
} from './args';
import { journeyTable, progressLine, redriveTable, stateLines, statusLines } from './format';

/** What a command gets: its options, the journey it names (not for list and redrive), and how to connect and print. */
export interface CommandContext {
  values: OptionValues;
  ref: { provider: JourneyProvider; journeyId: string } | undefined;
  taskQueue: string;
  json: boolean;
  progressIntervalMs: number;
  connect: () => Promise<Client>;
  /** Prints `data` as JSON with --json, otherwise the lines. */
  emit: (data: unknown, lines: string[]) => void;
  eprintln: (text: string) => void;
}

type CommandRun = (c: CommandContext) => Promise<number>;

function exitForState(s: JourneyState): number {
  return s.status === 'completed' ? EXIT.DONE : s.status === 'in_progress' ? EXIT.STILL_RUNNING : EXIT.JOURNEY_FAILED;
}

function journeyOf(c: CommandContext): { provider: JourneyProvider; journeyId: string } {
  if (!c.ref) throw new UsageError('missing journey');
  return c.ref;
}

function startInput(c: CommandContext): AwaitJourneyInput {
  const { values } = c;
  const polling: AwaitJourneyInput['polling'] = slowdownOptions(values);
  if (values.interval) polling.baseIntervalMs = parseDuration(values.interval, 'interval');
  if (values['error-backoff']) polling.errorBackoffMs = parseDuration(values['error-backoff'], 'error-backoff');
  if (values['max-errors']) polling.maxConsecutiveErrors = parseCount(values['max-errors'], 'max-errors');
  return {
    ...journeyOf(c),
    ...(values.environment !== undefined ? { environment: values.environment } : {}),
    ...(Object.keys(polling).length ? { polling } : {}),
    ...(values.deadline !== undefined ? { deadline: values.deadline } : {}),
  };
}

async function start(c: CommandContext): Promise<number> {
  const input = startInput(c);
  // The journey input contract, before connecting (the start checks it again).
  validateJourneyInput(input, { now: Date.now() });
  const r = await startJourneyAwait(await c.connect(), input, { taskQueue: c.taskQueue });
  c.emit(r, [
    r.alreadyFinished
      ? `${r.workflowId} has already finished (not started again); see: journey-await result ${input.provider} ${input.journeyId}`
      : `started ${r.workflowId} (run ${r.runId})`,
  ]);
  return EXIT.DONE;
}

async function status(c: CommandContext): Promise<number> {
  const r = await getJourneyStatus(await c.connect(), journeyOf(c));
  c.emit(r, statusLines(r));
  return EXIT.DONE;
}

/** `result` without --wait: the result if there is one, the failure, or "still running". */
async function currentResult(c: CommandContext, client: Client): Promise<number> {
  const r = await getJourneyStatus(client, journeyOf(c));
  if (r.result) {
    c.emit(r.result, stateLines(r.result));
    return exitForState(r.result);
  }
  if (r.failure) {
    c.emit({ workflowId: r.workflowId, executionStatus: r.executionStatus, failure: r.failure }, statusLines(r));
    return EXIT.JOURNEY_FAILED;
  }
  c.emit(r, [...statusLines(r), 'still running (use --wait to wait for the result)']);
  return EXIT.STILL_RUNNING;
}

async function result(c: CommandContext): Promise<number> {
  const timeoutMs = c.values.timeout ? parseDuration(c.values.timeout, 'timeout') : undefined;
  checkOptionalBounded(timeoutMs, 'timeoutMs');
  const client = await c.connect();
  if (!c.values.wait) return currentResult(c, client);
  const state = await awaitJourneyResult(client, journeyOf(c), {
    progressIntervalMs: c.progressIntervalMs,
    ...(timeoutMs ? { timeoutMs } : {}),
    onProgress: (p) => (c.json ? c.eprintln(JSON.stringify({ progress: p })) : c.eprintln(`… ${progressLine(p)}`)),
  });
  c.emit(state, stateLines(state));
  return exitForState(state);
}

async function signal(c: CommandContext): Promise<number> {
  const webhook = {
    ...(c.values['event-id'] !== undefined ? { eventId: c.values['event-id'] } : {}),
    ...(c.values['provider-status'] !== undefined ? { providerStatus: c.values['provider-status'] } : {}),
    receivedAt: new Date().toISOString(),
  };
  checkWebhook(webhook);
  const outcome = await signalJourneyWebhook(await c.connect(), journeyOf(c), webhook, { taskQueue: c.taskQueue });
  c.emit({ outcome }, [
    outcome === 'signalled'
      ? 'signalled: the journey fetches its state now'
      : 'the journey has already finished: nothing to wake',
  ]);
  return EXIT.DONE;
}

function checkProviderOption(values: OptionValues): void {
  if (values.provider && !(PROVIDERS as readonly string[]).includes(values.provider))
    throw new UsageError(`--provider: unknown provider (use ${PROVIDERS.join(', ')})`);
}

function listOptions(values: OptionValues): ListJourneysOptions {
  checkProviderOption(values);
  if (values.status && !(JOURNEY_STATUS_ATTRIBUTE_VALUES as readonly string[]).includes(values.status))
    throw new UsageError(`--status: unknown status (use ${JOURNEY_STATUS_ATTRIBUTE_VALUES.join(', ')})`);
  if (values.decision && !(DECISIONS as readonly string[]).includes(values.decision))
    throw new UsageError(`--decision: unknown decision (use ${DECISIONS.join(', ')})`);
  if (values.running && values.closed) throw new UsageError('--running and --closed exclude each other');
  if (values.stale && values.closed) throw new UsageError('--stale lists running journeys: leave out --closed');
  const limit = values.limit ? parseCount(values.limit, 'limit') : 100;
  checkOptionalBounded(limit, 'limit');
  const staleFor = values.stale ? parseDuration(values.stale, 'stale') : undefined;
  checkOptionalBounded(staleFor, 'staleForMs', 'staleFor');
  return {
    ...(values.provider ? { provider: values.provider as JourneyProvider } : {}),
    ...(values.status ? { status: values.status as JourneyStatusAttribute } : {}),
    ...(values.decision ? { decision: values.decision as JourneyDecision } : {}),
    ...(values.running ? { running: true } : values.closed ? { running: false } : {}),
    ...(staleFor !== undefined ? { staleFor } : {}),
    limit,
  };
}

async function list(c: CommandContext): Promise<number> {
  const options = listOptions(c.values);
  const rows = await listJourneys(await c.connect(), options);
  c.emit(rows, rows.length ? journeyTable(rows, { stale: options.staleFor !== undefined }) : ['no journeys']);
  return EXIT.DONE;
}

function redriveFilter(c: CommandContext): RedriveFilter {
  const { values } = c;
  checkProviderOption(values);
  const failures = (values.failure ?? REDRIVE_FAILURE_TYPES[0]).split(',');
  if (!failures.every((t) => (REDRIVE_FAILURE_TYPES as readonly string[]).includes(t)))
    throw new UsageError(`--failure: unknown failure (use ${REDRIVE_FAILURE_TYPES.join(', ')}, comma-separated)`);
  const filter: RedriveFilter = {
    failures: failures as RedriveFailureType[],
    ...(values.provider ? { provider: values.provider as JourneyProvider } : {}),
    ...(values.since ? { since: parseTimeOrAgo(values.since, 'since') } : {}),
    ...(values.until ? { until: parseTimeOrAgo(values.until, 'until') } : {}),
    ...(values.limit ? { limit: parseCount(values.limit, 'limit') } : {}),
    // The journeys' own task queue unless one is named.
    ...(values['task-queue'] ? { taskQueue: c.taskQueue } : {}),
  };
  checkRedriveFilter(filter);
  return filter;
}

/**
 * --yes re-opens at once; otherwise a dry run first, and the real run re-opens no more than it counted (a journey
 * that gave up meanwhile waits for the next redrive rather than pass the threshold unasked).
 */
async function redriveReport(client: Client, filter: RedriveFilter, values: OptionValues): Promise<RedriveReport> {
  const dryRun = values['dry-run'] === true;
  const preview = values.yes && !dryRun ? undefined : await redriveJourneys(client, { ...filter, dryRun: true });
  if (preview && !dryRun && preview.reopened > REDRIVE_CONFIRM_ABOVE)
    throw new UsageError(
      `this would re-open ${preview.reopened} journeys (more than ${REDRIVE_CONFIRM_ABOVE}): list them with --dry-run, then run again with --yes`,
    );
  if (dryRun) return preview!;
  if (preview?.reopened === 0) return { ...preview, dryRun: false };
  return redriveJourneys(client, preview ? { ...filter, limit: preview.reopened } : filter);
}

async function redrive(c: CommandContext): Promise<number> {
  const filter = redriveFilter(c);
  const report = await redriveReport(await c.connect(), filter, c.values);
  c.emit(report, [
    ...(report.journeys.length ? redriveTable(report.journeys) : []),
    report.dryRun
      ? `would re-open ${report.reopened} journeys (dry run: nothing started)`
      : `re-opened ${report.reopened} journeys`,
  ]);
  return EXIT.DONE;
}

/** Every command of args.ts COMMANDS, by name. */
export const COMMAND_RUNS: Record<Command, CommandRun> = { start, status, result, signal, list, redrive };

/** list and redrive act on many journeys and take no journey argument. */
export const FLEET_COMMANDS: readonly Command[] = ['list', 'redrive'];
