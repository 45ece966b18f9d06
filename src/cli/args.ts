/** The CLI's words: usage text, options, exit codes, and reading a journey reference and durations. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import ms, { type StringValue } from 'ms';
import { DECISIONS, JOURNEY_STATUS_ATTRIBUTE_VALUES, PROVIDERS, type JourneyProvider } from '../contract/vocabulary';
import { InvalidJourneyInputError } from '../contract/errors';
import { journeyIdProblem } from '../contract/identifiers';
import { parseStrictIsoTimestamp } from '../contract/input';
import { parseJourneyWorkflowId } from '../contract/identifiers';
import { POLLING_PRESETS, type PollingInput, type PollingPresetName, type PollingSlowdown } from '../contract/polling';
import { REDRIVE_FAILURE_TYPES } from '../client/redrive-journeys';

export const EXIT = { DONE: 0, JOURNEY_FAILED: 1, USAGE: 2, NOT_FOUND: 3, STILL_RUNNING: 4, UNAVAILABLE: 5 } as const;

/** `redrive` re-opens more journeys than this only with --yes (check them with --dry-run first). */
export const REDRIVE_CONFIRM_ABOVE = 10;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const USAGE = `usage: journey-await <command> [options]

commands:
  start  <provider> <journeyId>   start waiting for a journey (idempotent)
         [--environment E] [--deadline 2030-01-31T18:00:00Z]
         [--interval 10s (1s–1h)] [--error-backoff 5s (0–10m)] [--max-errors 30 (1–1000)]
         [--polling ${Object.keys(POLLING_PRESETS).join('|')}]  webhooks: 10s for 15m, then doubling to every 5m
         [--slow-after 15m (0–31d)] [--slow-factor 2 (>1–10)] [--slow-max 5m (interval–24h)]  (all three, or over --polling)
  status <provider> <journeyId>   where the journey stands (polls, errors, next poll, last state)
  result <provider> <journeyId>   the final normalised state  [--wait [--timeout 30m (up to 24d)]]
  signal <provider> <journeyId>   wake the journey as a webhook would  [--event-id ID] [--provider-status S]
  list                            journeys  [--provider P] [--status S] [--decision D] [--running|--closed] [--limit N (1–10000)]
                                  [--stale 10m]  running journeys with no successful fetch for that long
  redrive                         re-open journeys that gave up  [--failure ${REDRIVE_FAILURE_TYPES.join(',')}]
         [--provider P] [--since 2h|ISO] [--until ISO] [--limit N] [--dry-run] [--yes (needed above ${REDRIVE_CONFIRM_ABOVE})]

providers: ${PROVIDERS.join(', ')}     statuses: ${JOURNEY_STATUS_ATTRIBUTE_VALUES.join(', ')}     decisions: ${DECISIONS.join(', ')}
options: --json  --task-queue Q  --profile P  --help     (each at most once, only where it applies)
exit codes: 0 done, 1 journey failed/expired/aborted, 2 usage/config error, 3 not found, 4 still running, 5 Temporal unreachable`;

export const OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  'task-queue': { type: 'string' },
  profile: { type: 'string' },
  environment: { type: 'string' },
  deadline: { type: 'string' },
  interval: { type: 'string' },
  'error-backoff': { type: 'string' },
  'max-errors': { type: 'string' },
  polling: { type: 'string' },
  'slow-after': { type: 'string' },
  'slow-factor': { type: 'string' },
  'slow-max': { type: 'string' },
  wait: { type: 'boolean', short: 'w' },
  timeout: { type: 'string' },
  'event-id': { type: 'string' },
  'provider-status': { type: 'string' },
  provider: { type: 'string' },
  status: { type: 'string' },
  decision: { type: 'string' },
  running: { type: 'boolean' },
  closed: { type: 'boolean' },
  limit: { type: 'string' },
  stale: { type: 'string' },
  failure: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  'dry-run': { type: 'boolean' },
  yes: { type: 'boolean', short: 'y' },
} satisfies ParseArgsConfig['options'];

export type OptionName = keyof typeof OPTIONS;
const PARSE_CONFIG = { options: OPTIONS, allowPositionals: true, strict: true, tokens: true } as const;
export type OptionValues = ReturnType<typeof parseArgs<typeof PARSE_CONFIG>>['values'];
export const COMMANDS = ['start', 'status', 'result', 'signal', 'list', 'redrive'] as const;
export type Command = (typeof COMMANDS)[number];

/** Options every command takes; the others belong to one command each. */
const COMMON_OPTIONS: readonly OptionName[] = ['json', 'help', 'task-queue', 'profile'];
const COMMAND_OPTIONS: Record<Command, readonly OptionName[]> = {
  start: [
    'environment',
    'deadline',
    'interval',
    'error-backoff',
    'max-errors',
    'polling',
    'slow-after',
    'slow-factor',
    'slow-max',
  ],
  status: [],
  result: ['wait', 'timeout'],
  signal: ['event-id', 'provider-status'],
  list: ['provider', 'status', 'decision', 'running', 'closed', 'limit', 'stale'],
  redrive: ['failure', 'provider', 'since', 'until', 'limit', 'dry-run', 'yes'],
};

/** How the CLI spells each field of the journey input contract and the client's arguments, for its messages. */
export const OPTION_OF_FIELD: Record<string, string> = {
  journeyId: '<journeyId>',
  provider: '<provider>',
  environment: '--environment',
  deadline: '--deadline',
  'polling.baseIntervalMs': '--interval',
  'polling.errorBackoffMs': '--error-backoff',
  'polling.maxConsecutiveErrors': '--max-errors',
  'polling.slowdown.afterMs': '--slow-after',
  'polling.slowdown.factor': '--slow-factor',
  'polling.slowdown.maxIntervalMs': '--slow-max',
  taskQueue: '--task-queue',
  timeoutMs: '--timeout',
  limit: '--limit',
  staleFor: '--stale',
  failures: '--failure',
  since: '--since',
  until: '--until',
  'webhook.eventId': '--event-id',
  'webhook.providerStatus': '--provider-status',
};

export interface Invocation {
  command?: string;
  rest: string[];
  values: OptionValues;
}

/**
 * The command line, strictly: unknown options, an option given twice (one value would be dropped), an empty value,
 * or an option the command does not take (it would be ignored) are usage errors.
 */
export function parseInvocation(argv: string[]): Invocation {
  const { values, positionals, tokens } = parseArgs({ ...PARSE_CONFIG, args: argv });
  const seen = new Set<string>();
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    if (seen.has(token.name)) throw new UsageError(`--${token.name} is given more than once`);
    seen.add(token.name);
    if (token.value === '') throw new UsageError(`--${token.name}: empty value`);
  }
  const [command, ...rest] = positionals;
  const own = COMMAND_OPTIONS[command as Command];
  if (own && !values.help) {
    for (const name of seen) {
      if (!COMMON_OPTIONS.includes(name as OptionName) && !own.includes(name as OptionName))
        throw new UsageError(`--${name} does not apply to ${command}`);
    }
    if (values.timeout !== undefined && !values.wait) throw new UsageError('--timeout needs --wait');
  }
  return { ...(command !== undefined ? { command } : {}), rest, values };
}

/** A whole number written as digits only (`--max-errors`, `--limit`): not `0x10`, `1e3` or ` 7 `. */
export function parseCount(text: string, name: string): number {
  if (!/^\d{1,9}$/.test(text)) throw new UsageError(`--${name}: expected a whole number`);
  return Number(text);
}

/** `2`, `1.5`: a decimal number written plainly (`--slow-factor`). */
export function parseDecimal(text: string, name: string): number {
  if (!/^\d{1,3}(\.\d{1,6})?$/.test(text)) throw new UsageError(`--${name}: expected a number like 2 or 1.5`);
  return Number(text);
}

/**
 * `--polling <preset>` and the `--slow-*` flags: a preset's slowdown with any flag over it, or the flags alone (the
 * contract then asks for all three, naming the missing one's flag).
 */
export function slowdownOptions(values: OptionValues): PollingInput {
  const name = values.polling;
  if (name !== undefined && !Object.hasOwn(POLLING_PRESETS, name))
    throw new UsageError(`--polling: choose from ${Object.keys(POLLING_PRESETS).join(', ')}`);
  const preset: PollingInput = name !== undefined ? POLLING_PRESETS[name as PollingPresetName] : {};
  const flags: Partial<PollingSlowdown> = {};
  if (values['slow-after'] !== undefined) flags.afterMs = parseDuration(values['slow-after'], 'slow-after');
  if (values['slow-factor'] !== undefined) flags.factor = parseDecimal(values['slow-factor'], 'slow-factor');
  if (values['slow-max'] !== undefined) flags.maxIntervalMs = parseDuration(values['slow-max'], 'slow-max');
  if (Object.keys(flags).length === 0) return { ...preset };
  return { ...preset, slowdown: { ...preset.slowdown, ...flags } as PollingSlowdown };
}

/** `10s`, `500ms`, `2m`, `1h` or plain milliseconds (read by `ms`, as the Temporal SDK reads durations). */
export function parseDuration(text: string, name: string): number {
  let value = Number.NaN;
  try {
    value = ms(text.trim() as StringValue);
  } catch {
    // longer than `ms` reads: malformed
  }
  if (!Number.isFinite(value) || value < 0)
    throw new UsageError(`--${name}: expected a duration like 10s, 500ms, 2m (got ${JSON.stringify(text)})`);
  return Math.round(value);
}

/** `--since 2h` (that long ago) or an ISO 8601 timestamp with an offset. */
export function parseTimeOrAgo(text: string, name: string, now = Date.now()): Date {
  const at = parseStrictIsoTimestamp(text);
  if (at !== undefined) return new Date(at);
  if (/^\d/.test(text.trim())) return new Date(now - parseDuration(text, name));
  throw new UsageError(`--${name}: expected a duration ago like 2h, or an ISO 8601 timestamp with an offset`);
}

/** `<provider> <journeyId>`, or the workflow id `journey:<provider>:<journeyId>`. */
export function journeyRef(positionals: string[]): { provider: JourneyProvider; journeyId: string } {
  let [provider, journeyId] = positionals;
  if (positionals.length === 1 && provider?.startsWith('journey:')) {
    const parts = parseJourneyWorkflowId(provider);
    [provider, journeyId] = parts ? [parts.provider, parts.journeyId] : [provider, undefined];
  }
  if (!provider || !journeyId)
    throw new UsageError('expected <provider> <journeyId> (or journey:<provider>:<journeyId>)');
  if (positionals.length > 2) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[2])}`);
  // The value is not echoed: swapped arguments would print the journey id.
  if (!(PROVIDERS as readonly string[]).includes(provider))
    throw new UsageError(`unknown provider (use ${PROVIDERS.join(', ')})`);
  const idProblem = journeyIdProblem(journeyId);
  if (idProblem) throw new InvalidJourneyInputError('journeyId', idProblem);
  return { provider: provider as JourneyProvider, journeyId };
}
