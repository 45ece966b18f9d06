/**
 * How a failed CLI invocation ends: each error the CLI knows becomes an exit code, a `kind` for --json and a
 * message (on stderr, or as `{ error: { kind, message, … } }` on stdout with --json).
 */
import { NamespaceNotFoundError } from '@temporalio/common';
import {
  AwaitTimeoutError,
  JourneyNotFoundError,
  JourneyWorkflowFailedError,
  TemporalAccessDeniedError,
  TemporalUnavailableError,
} from '../client';
import { ConfigError } from '../config';
import { InvalidJourneyInputError } from '../contract/errors';
import { EXIT, OPTION_OF_FIELD, UsageError } from './args';

export interface ErrorExit {
  code: number;
  kind: string;
  message: string;
  extra?: Record<string, unknown>;
}

const configExit = (message: string, problems: string[]): ErrorExit => ({
  code: EXIT.USAGE,
  kind: 'config',
  message: `invalid configuration: ${message}`,
  extra: { problems },
});

function isUsageError(e: unknown): boolean {
  return e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true;
}

/** The exit for an error, most specific first; anything unknown is `error`, as if Temporal were unavailable. */
export function errorExit(e: unknown): ErrorExit {
  if (isUsageError(e)) return { code: EXIT.USAGE, kind: 'usage', message: (e as Error).message };
  if (e instanceof InvalidJourneyInputError) {
    const message = `${OPTION_OF_FIELD[e.field] ?? e.field}: ${e.problem}`;
    return { code: EXIT.USAGE, kind: 'invalid_input', message, extra: { field: e.field } };
  }
  if (e instanceof ConfigError) return configExit(e.problems.join('; '), e.problems);
  // A configuration problem (the namespace comes from TEMPORAL_NAMESPACE or the profile), not an outage.
  if (e instanceof NamespaceNotFoundError) {
    const problem = 'TEMPORAL_NAMESPACE: no such namespace on the server';
    return configExit(problem, [problem]);
  }
  if (e instanceof JourneyNotFoundError)
    return { code: EXIT.NOT_FOUND, kind: 'not_found', message: e.message, extra: { workflowId: e.workflowId } };
  if (e instanceof JourneyWorkflowFailedError) {
    const message = `${e.workflowId} failed: ${e.failureType ? `${e.failureType}: ` : ''}${e.message}`;
    const extra = { workflowId: e.workflowId, failureType: e.failureType };
    return { code: EXIT.JOURNEY_FAILED, kind: 'journey_failed', message, extra };
  }
  if (e instanceof AwaitTimeoutError) return { code: EXIT.STILL_RUNNING, kind: 'timeout', message: e.message };
  if (e instanceof TemporalAccessDeniedError) return configExit(e.message, [e.message]);
  if (e instanceof TemporalUnavailableError)
    return { code: EXIT.UNAVAILABLE, kind: 'temporal_unavailable', message: e.message };
  if (e instanceof Error && /config|toml|TEMPORAL_/i.test(e.message) && e.name !== 'ServiceError')
    return { code: EXIT.USAGE, kind: 'config', message: e.message };
  const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return { code: EXIT.UNAVAILABLE, kind: 'error', message };
}
