/**
 * A `fetchState` that answers from a journey's script in-process, with no HTTP: each fetch consumes one step of
 * the simulator's script language (the last step repeats). Provider bodies come from the simulator's payloads
 * and go through the product's own normalisation and failure classification, so a scripted journey decides,
 * fails and backs off exactly as the real activity would against the simulator.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { errorBody, gbgV1Body, gbgV2Body, idnowSessionBody, providerSpelling } from '../dev/simulator/payloads';
import {
  DEFAULT_SCRIPT,
  expandScript,
  scriptFromJourneyId,
  type ScriptEntry,
  type SimStep,
} from '../dev/simulator/script';
import { compactForHistory } from '../src/activities/fetch-state';
import { FetchError, httpStatusError, toApplicationFailure } from '../src/activities/failures';
import { DEFAULT_HTTP_OPTIONS, type HttpResponse } from '../src/activities/http';
import type { FetchStateInput, JourneyPoll } from '../src/contract/journey-state';
import type { JourneyProvider } from '../src/contract/vocabulary';
import { ProviderResponseError } from '../src/providers/errors';
import { normalise } from '../src/providers/normalise';

export interface ScriptedFetchStateOptions {
  /** Script for journeys neither scripted nor named by the convention. Default: in progress ×2, then completed. */
  defaultScript?: readonly ScriptEntry[];
  /** A reply slower than this fails as a timeout, like the real activity's HTTP deadline. Default 7 s. */
  timeoutMs?: number;
}

/** What a journey's fetches have seen so far. */
export interface JourneyFetches {
  provider: JourneyProvider;
  journeyId: string;
  fetches: number;
  /** The provider status of the last successful reply. */
  lastStatus?: string;
}

interface Run extends JourneyFetches {
  steps: SimStep[];
  index: number;
  createdAt: string;
}

export interface ScriptedFetchState {
  fetchState(input: FetchStateInput): Promise<JourneyPoll>;
  script(provider: JourneyProvider, journeyId: string, script: readonly ScriptEntry[]): void;
  journey(provider: JourneyProvider, journeyId: string): JourneyFetches | undefined;
}

const key = (provider: JourneyProvider, journeyId: string) => `${provider}\u0000${journeyId}`;

export function createScriptedFetchState(options: ScriptedFetchStateOptions = {}): ScriptedFetchState {
  const defaultScript = options.defaultScript ?? DEFAULT_SCRIPT;
  const timeoutMs = options.timeoutMs ?? DEFAULT_HTTP_OPTIONS.totalTimeoutMs;
  const scripted = new Map<string, SimStep[]>();
  const runs = new Map<string, Run>();

  function runFor({ provider, journeyId }: FetchStateInput): Run {
    const k = key(provider, journeyId);
    let run = runs.get(k);
    if (!run) {
      const steps = scripted.get(k) ?? expandScript(scriptFromJourneyId(journeyId) ?? defaultScript);
      run = { provider, journeyId, steps, index: 0, fetches: 0, createdAt: new Date().toISOString() };
      runs.set(k, run);
    }
    return run;
  }

  async function answer(run: Run, step: SimStep, input: FetchStateInput): Promise<JourneyPoll> {
    const { provider, journeyId } = run;
    const now = new Date().toISOString();
    switch (step.kind) {
      case 'state': {
        const providerStatus = step.providerStatus ?? providerSpelling(provider, step.status);
        const body = stateBody(run, step, providerStatus, now, input.environment);
        const state = normalise(provider, body, { journeyId, observedAt: now });
        run.lastStatus = providerStatus;
        return compactForHistory(state);
      }
      case 'http': {
        const headers = step.retryAfterSeconds !== undefined ? { 'retry-after': String(step.retryAfterSeconds) } : {};
        const res: HttpResponse = {
          status: step.httpStatus,
          headers,
          text: JSON.stringify(errorBody(provider, step.httpStatus)),
        };
        throw httpStatusError(provider, 'state fetch', res, Date.now());
      }
      case 'malformed':
        throw new FetchError('failed', `${provider} state response: body is not valid JSON`, {
          provider,
          httpStatus: 200,
        });
      case 'invalid':
        return normalise(
          provider,
          provider === 'idnow' ? { sessionId: journeyId, sessionStatus: 42 } : { instanceId: journeyId, status: 42 },
          { journeyId, observedAt: now },
        );
      case 'reset':
        throw new FetchError('failed', `${provider}: connection closed by the provider`, { provider });
      case 'slow':
        if (step.delayMs >= timeoutMs) {
          // The real activity gives up at its deadline: no need to wait that long to say so.
          throw new FetchError('failed', `${provider}: no complete reply within ${timeoutMs} ms`, { provider });
        }
        await delay(step.delayMs);
        return answer(run, step.then ?? { kind: 'state', status: 'in_progress' }, input);
    }
  }

  return {
    async fetchState(input) {
      const run = runFor(input);
      const step = run.steps[Math.min(run.index, run.steps.length - 1)]!;
      run.index++;
      run.fetches++;
      try {
        return await answer(run, step, input);
      } catch (err) {
        if (err instanceof FetchError) throw toApplicationFailure(err);
        if (err instanceof ProviderResponseError)
          throw toApplicationFailure(
            new FetchError('failed', err.message, { provider: input.provider, httpStatus: 200 }),
          );
        throw err;
      }
    },
    script(provider, journeyId, script) {
      scripted.set(key(provider, journeyId), expandScript(script));
      runs.delete(key(provider, journeyId));
    },
    journey(provider, journeyId) {
      const run = runs.get(key(provider, journeyId));
      return run
        ? { provider, journeyId, fetches: run.fetches, ...(run.lastStatus ? { lastStatus: run.lastStatus } : {}) }
        : undefined;
    },
  };
}

function stateBody(
  run: Run,
  step: Extract<SimStep, { kind: 'state' }>,
  providerStatus: string,
  now: string,
  environment = 'live',
): unknown {
  const times = { createdAt: run.createdAt, now };
  if (run.provider === 'gbg-go-v2')
    return gbgV2Body(run.journeyId, providerStatus, step.status, times, step.variant, step.outcome);
  if (run.provider === 'gbg-go-v1') return gbgV1Body(run.journeyId, providerStatus, step.status, times, step.variant);
  return idnowSessionBody(run.journeyId, providerStatus, step.status, times, environment, step.variant, step.outcome);
}
