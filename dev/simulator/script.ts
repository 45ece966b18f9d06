/**
 * Scripted journeys: a list of steps, each consumed by one state fetch, the last one repeating forever.
 * Steps are objects or short strings: "in_progress x3", "decided outcome=rejected", "503 x2", "429 retry-after 20", "completed",
 * "completed variant=sdk outcome=rejected", "malformed", "invalid", "status Bogus", "slow 40s", "slow 2s completed",
 * "reset". Journey ids following a naming convention script themselves (see scriptFromJourneyId).
 */
/** `decided`: still in progress, but GBG has already classified the outcome (seen live; other providers: in progress). */
export type SimStatus =
  'in_progress' | 'decided' | 'paused' | 'created' | 'completed' | 'failed' | 'error' | 'aborted' | 'expired';
export const SIM_STATUSES: readonly SimStatus[] = [
  'in_progress',
  'decided',
  'paused',
  'created',
  'completed',
  'failed',
  'error',
  'aborted',
  'expired',
];

export type SimStep =
  /** A 200 with the provider's body for this status. `providerStatus` overrides the spelling; `variant` picks a shape. */
  | { kind: 'state'; status: SimStatus; providerStatus?: string; variant?: string; outcome?: string }
  /** An error reply with the provider's error body (and Retry-After when given). */
  | { kind: 'http'; httpStatus: number; retryAfterSeconds?: number }
  /** A 200 whose body is not JSON. */
  | { kind: 'malformed' }
  /** A 200 JSON body that fails the provider schema (status is a number). */
  | { kind: 'invalid' }
  /** Wait, then answer with `then` (default: in progress). */
  | { kind: 'slow'; delayMs: number; then?: SimStep }
  /** Destroy the connection without a reply. */
  | { kind: 'reset' };

export type ScriptEntry = SimStep | string;

export class ScriptError extends Error {
  override readonly name = 'ScriptError';
}

function duration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text);
  if (!m) throw new ScriptError(`bad duration ${JSON.stringify(text)} (use 500ms, 40s, 2m)`);
  const n = Number(m[1]);
  return m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : m[2] === 's' ? n * 1000 : n;
}

/** Parses one string step; returns it with its repeat count. */
export function parseStep(text: string): { step: SimStep; times: number } {
  const words = text.trim().split(/\s+/);
  let times = 1;
  const rest: string[] = [];
  const options: Record<string, string> = {};
  for (const w of words) {
    const t = /^[x×](\d+)$/i.exec(w);
    if (t) times = Number(t[1]);
    else if (/^[a-z-]+=/i.test(w)) options[w.slice(0, w.indexOf('=')).toLowerCase()] = w.slice(w.indexOf('=') + 1);
    else rest.push(w);
  }
  const [head = '', ...args] = rest;
  const key = head.toLowerCase().replace(/-/g, '_');
  let step: SimStep;
  if (/^\d{3}$/.test(head)) {
    const ra =
      args[0]?.toLowerCase() === 'retry_after' || args[0]?.toLowerCase() === 'retry-after'
        ? args[1]
        : options['retry-after'];
    step = {
      kind: 'http',
      httpStatus: Number(head),
      ...(ra ? { retryAfterSeconds: duration(ra) / (/\d$/.test(ra) ? 1 : 1000) } : {}),
    };
  } else if ((SIM_STATUSES as readonly string[]).includes(key) || key === 'inprogress' || key === 'running') {
    const status = (key === 'inprogress' || key === 'running' ? 'in_progress' : key) as SimStatus;
    step = {
      kind: 'state',
      status,
      ...(options.variant ? { variant: options.variant } : {}),
      ...(options.outcome ? { outcome: options.outcome } : {}),
    };
  } else if (key === 'status') {
    if (!args[0]) throw new ScriptError('"status" needs a provider status, e.g. "status Archived"');
    step = {
      kind: 'state',
      status: 'in_progress',
      providerStatus: args[0],
      ...(options.variant ? { variant: options.variant } : {}),
    };
  } else if (key === 'malformed') step = { kind: 'malformed' };
  else if (key === 'invalid') step = { kind: 'invalid' };
  else if (key === 'reset') step = { kind: 'reset' };
  else if (key === 'slow') {
    if (!args[0]) throw new ScriptError('"slow" needs a duration, e.g. "slow 40s"');
    step = {
      kind: 'slow',
      delayMs: duration(args[0]),
      ...(args[1] ? { then: parseStep(args.slice(1).join(' ')).step } : {}),
    };
  } else throw new ScriptError(`unknown script step ${JSON.stringify(text)}`);
  return { step, times };
}

/** Expands a script (strings or steps; `times` on strings) into one step per fetch. */
export function expandScript(script: readonly ScriptEntry[]): SimStep[] {
  if (script.length === 0) throw new ScriptError('a script needs at least one step');
  return script.flatMap((entry) => {
    if (typeof entry !== 'string') return [entry];
    const { step, times } = parseStep(entry);
    if (times < 1 || times > 10_000) throw new ScriptError(`repeat count out of range in ${JSON.stringify(entry)}`);
    return Array.from({ length: times }, () => step);
  });
}

/**
 * Naming convention for quick manual use (journey ids are free text at the providers):
 * - `sim-complete-after-N-…`        in progress ×N, then completed (accepted)
 * - `sim-reject-after-N-…`          in progress ×N, then completed with a negative outcome
 * - `sim-fail-after-N-…`            in progress ×N, then failed (IDnow: ERROR)
 * - `sim-abort-after-N-…`, `sim-expire-after-N-…`   IDnow-style aborted/expired
 * - `sim-errors-N-then-complete-…`  503 ×N, then completed
 * - `sim-http-CODE-…`               CODE forever (404, 400, 500 …)
 * - `sim-ratelimit-S-…`             429 with Retry-After S seconds, then completed
 * - `sim-slow-S-…`                  S seconds before each reply, then completed
 * - `sim-malformed-…`, `sim-invalid-…`   a non-JSON body / a body that fails validation, forever
 * Anything else: the default script (in progress ×2, then completed).
 */
export function scriptFromJourneyId(journeyId: string): ScriptEntry[] | undefined {
  let m = /^sim-(complete|reject|fail|abort|expire)-after-(\d+)(?:-|$)/.exec(journeyId);
  if (m) {
    const n = Number(m[2]);
    const final = {
      complete: 'completed',
      reject: 'completed outcome=rejected',
      fail: 'failed',
      abort: 'aborted',
      expire: 'expired',
    }[m[1] as 'complete'];
    return n > 0 ? [`in_progress x${n}`, final] : [final];
  }
  m = /^sim-errors-(\d+)-then-complete(?:-|$)/.exec(journeyId);
  if (m) return Number(m[1]) > 0 ? [`503 x${m[1]}`, 'completed'] : ['completed'];
  m = /^sim-http-(\d{3})(?:-|$)/.exec(journeyId);
  if (m) return [m[1]!];
  m = /^sim-ratelimit-(\d+)(?:-|$)/.exec(journeyId);
  if (m) return [`429 retry-after ${m[1]}`, 'completed'];
  m = /^sim-slow-(\d+)(?:-|$)/.exec(journeyId);
  if (m) return [`slow ${m[1]}s completed`];
  if (/^sim-malformed(?:-|$)/.test(journeyId)) return ['malformed'];
  if (/^sim-invalid(?:-|$)/.test(journeyId)) return ['invalid'];
  return undefined;
}

export const DEFAULT_SCRIPT: readonly ScriptEntry[] = ['in_progress x2', 'completed'];
