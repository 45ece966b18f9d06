/** One CLI invocation: parse, validate before connecting, call the client library, print, exit code. */
import type { Client } from '@temporalio/client';
import { NamespaceNotFoundError } from '@temporalio/common';
import {
  AwaitTimeoutError,
  awaitJourneyResult,
  checkRedriveFilter,
  connectClient,
  getJourneyStatus,
  JourneyNotFoundError,
  JourneyWorkflowFailedError,
  listJourneys,
  redriveJourneys,
  REDRIVE_FAILURE_TYPES,
  signalJourneyWebhook,
  startJourneyAwait,
  TemporalAccessDeniedError,
  TemporalUnavailableError,
} from '../client';
import { clientSettingsFromEnv, ConfigError, processEnv, type Env } from '../config';
import type { JourneyState } from '../contract/journey-state';
import {
  DECISIONS,
  JOURNEY_STATUS_ATTRIBUTE_VALUES,
  PROVIDERS,
  type JourneyDecision,
  type JourneyProvider,
} from '../contract/vocabulary';
import { InvalidJourneyInputError } from '../contract/errors';
import { validateJourneyInput } from '../contract/input';
import type { AwaitJourneyInput } from '../contract/input';
import type { JourneyStatusAttribute } from '../contract/vocabulary';
import { checkOptionalBounded, checkTaskQueue, checkWebhook } from '../client/arguments';
import {
  COMMANDS,
  EXIT,
  journeyRef,
  OPTION_OF_FIELD,
  parseCount,
  parseDuration,
  parseInvocation,
  parseTimeOrAgo,
  REDRIVE_CONFIRM_ABOVE,
  slowdownOptions,
  USAGE,
  UsageError,
} from './args';
import { journeyTable, progressLine, redriveTable, stateLines, statusLines } from './format';
import type { RedriveFailureType, RedriveFilter } from '../client';

export interface CliDeps {
  /** An existing client (tests); otherwise one is connected from envconfig. */
  client?: Client;
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
  env?: Env;
  /** Progress polling interval for `result --wait` (default 1 s). */
  progressIntervalMs?: number;
}

function exitForState(s: JourneyState): number {
  return s.status === 'completed' ? EXIT.DONE : s.status === 'in_progress' ? EXIT.STILL_RUNNING : EXIT.JOURNEY_FAILED;
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
    const { command, rest, values } = parseInvocation(argv);
    json = values.json ?? false;
    if (values.help || command === 'help') {
      println(USAGE);
      return EXIT.DONE;
    }
    if (!command) throw new UsageError('missing command');
    if (!(COMMANDS as readonly string[]).includes(command))
      throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    const settings = clientSettingsFromEnv(deps.env ?? processEnv());
    const taskQueue = values['task-queue'] ?? settings.taskQueue;
    checkTaskQueue(taskQueue);
    const emit = (data: unknown, lines: string[]) =>
      json ? println(JSON.stringify(data, null, 2)) : lines.forEach((l) => println(l));

    // Validate everything before connecting, so usage errors never wait on the network.
    const fleet = command === 'list' || command === 'redrive';
    const ref = fleet ? undefined : journeyRef(rest);
    if (fleet && rest.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(rest[0])}`);
    const connect = async () => (client ??= await connectClient(values.profile ? { profile: values.profile } : {}));

    switch (command) {
      case 'start': {
        const polling: AwaitJourneyInput['polling'] = slowdownOptions(values);
        if (values.interval) polling.baseIntervalMs = parseDuration(values.interval, 'interval');
        if (values['error-backoff']) polling.errorBackoffMs = parseDuration(values['error-backoff'], 'error-backoff');
        if (values['max-errors']) polling.maxConsecutiveErrors = parseCount(values['max-errors'], 'max-errors');
        const input: AwaitJourneyInput = {
          ...ref!,
          ...(values.environment !== undefined ? { environment: values.environment } : {}),
          ...(Object.keys(polling).length ? { polling } : {}),
          ...(values.deadline !== undefined ? { deadline: values.deadline } : {}),
        };
        // The journey input contract, before connecting (the start checks it again).
        validateJourneyInput(input, { now: Date.now() });
        const r = await startJourneyAwait(await connect(), input, { taskQueue });
        emit(r, [
          r.alreadyFinished
            ? `${r.workflowId} has already finished (not started again); see: journey-await result ${ref!.provider} ${ref!.journeyId}`
            : `started ${r.workflowId} (run ${r.runId})`,
        ]);
        return EXIT.DONE;
      }
      case 'status': {
        const r = await getJourneyStatus(await connect(), ref!);
        emit(r, statusLines(r));
        return EXIT.DONE;
      }
      case 'result': {
        const timeoutMs = values.timeout ? parseDuration(values.timeout, 'timeout') : undefined;
        checkOptionalBounded(timeoutMs, 'timeoutMs');
        const c = await connect();
        if (!values.wait) {
          const r = await getJourneyStatus(c, ref!);
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
        const state = await awaitJourneyResult(c, ref!, {
          progressIntervalMs: deps.progressIntervalMs ?? 1_000,
          ...(timeoutMs ? { timeoutMs } : {}),
          onProgress: (p) => (json ? eprintln(JSON.stringify({ progress: p })) : eprintln(`… ${progressLine(p)}`)),
        });
        emit(state, stateLines(state));
        return exitForState(state);
      }
      case 'signal': {
        const webhook = {
          ...(values['event-id'] !== undefined ? { eventId: values['event-id'] } : {}),
          ...(values['provider-status'] !== undefined ? { providerStatus: values['provider-status'] } : {}),
          receivedAt: new Date().toISOString(),
        };
        checkWebhook(webhook);
        const outcome = await signalJourneyWebhook(await connect(), ref!, webhook, { taskQueue });
        emit({ outcome }, [
          outcome === 'signalled'
            ? 'signalled: the journey fetches its state now'
            : 'the journey has already finished: nothing to wake',
        ]);
        return EXIT.DONE;
      }
      case 'list': {
        if (values.provider && !(PROVIDERS as readonly string[]).includes(values.provider))
          throw new UsageError(`--provider: unknown provider (use ${PROVIDERS.join(', ')})`);
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
        const rows = await listJourneys(await connect(), {
          ...(values.provider ? { provider: values.provider as JourneyProvider } : {}),
          ...(values.status ? { status: values.status as JourneyStatusAttribute } : {}),
          ...(values.decision ? { decision: values.decision as JourneyDecision } : {}),
          ...(values.running ? { running: true } : values.closed ? { running: false } : {}),
          ...(staleFor !== undefined ? { staleFor } : {}),
          limit,
        });
        emit(rows, rows.length ? journeyTable(rows, { stale: staleFor !== undefined }) : ['no journeys']);
        return EXIT.DONE;
      }
      case 'redrive': {
        if (values.provider && !(PROVIDERS as readonly string[]).includes(values.provider))
          throw new UsageError(`--provider: unknown provider (use ${PROVIDERS.join(', ')})`);
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
          ...(values['task-queue'] ? { taskQueue } : {}),
        };
        checkRedriveFilter(filter);
        const c = await connect();
        // --yes re-opens at once; otherwise a dry run first, and the real run re-opens no more than it counted
        // (a journey that gave up meanwhile waits for the next redrive rather than pass the threshold unasked).
        const preview =
          values.yes && !values['dry-run'] ? undefined : await redriveJourneys(c, { ...filter, dryRun: true });
        if (preview && !values['dry-run'] && preview.reopened > REDRIVE_CONFIRM_ABOVE)
          throw new UsageError(
            `this would re-open ${preview.reopened} journeys (more than ${REDRIVE_CONFIRM_ABOVE}): list them with --dry-run, then run again with --yes`,
          );
        const report = values['dry-run']
          ? preview!
          : preview?.reopened === 0
            ? { ...preview, dryRun: false }
            : await redriveJourneys(c, preview ? { ...filter, limit: preview.reopened } : filter);
        emit(report, [
          ...(report.journeys.length ? redriveTable(report.journeys) : []),
          report.dryRun
            ? `would re-open ${report.reopened} journeys (dry run: nothing started)`
            : `re-opened ${report.reopened} journeys`,
        ]);
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
    if (e instanceof InvalidJourneyInputError)
      return fail(EXIT.USAGE, 'invalid_input', `${OPTION_OF_FIELD[e.field] ?? e.field}: ${e.problem}`, {
        field: e.field,
      });
    if (e instanceof ConfigError)
      return fail(EXIT.USAGE, 'config', `invalid configuration: ${e.problems.join('; ')}`, { problems: e.problems });
    if (e instanceof NamespaceNotFoundError) {
      // A configuration problem (the namespace comes from TEMPORAL_NAMESPACE or the profile), not an outage.
      const problem = 'TEMPORAL_NAMESPACE: no such namespace on the server';
      return fail(EXIT.USAGE, 'config', `invalid configuration: ${problem}`, { problems: [problem] });
    }
    if (e instanceof JourneyNotFoundError)
      return fail(EXIT.NOT_FOUND, 'not_found', e.message, { workflowId: e.workflowId });
    if (e instanceof JourneyWorkflowFailedError) {
      return fail(
        EXIT.JOURNEY_FAILED,
        'journey_failed',
        `${e.workflowId} failed: ${e.failureType ? `${e.failureType}: ` : ''}${e.message}`,
        {
          workflowId: e.workflowId,
          failureType: e.failureType,
        },
      );
    }
    if (e instanceof AwaitTimeoutError) return fail(EXIT.STILL_RUNNING, 'timeout', e.message);
    if (e instanceof TemporalAccessDeniedError)
      return fail(EXIT.USAGE, 'config', `invalid configuration: ${e.message}`, { problems: [e.message] });
    if (e instanceof TemporalUnavailableError) return fail(EXIT.UNAVAILABLE, 'temporal_unavailable', e.message);
    if (e instanceof Error && /config|toml|TEMPORAL_/i.test(e.message) && e.name !== 'ServiceError')
      return fail(EXIT.USAGE, 'config', e.message);
    return fail(EXIT.UNAVAILABLE, 'error', e instanceof Error ? `${e.name}: ${e.message}` : String(e));
  } finally {
    if (owned && client) await client.connection.close().catch(() => {});
  }
}
