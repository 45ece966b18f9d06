/**
 * The journey's metrics, through the SDK's workflow metric meter: the worker's Prometheus endpoint serves them with
 * its namespace and task queue, and nothing is emitted while a history replays, so a journey counts once however
 * often a worker replays it. Labels are classes (provider, status, decision, source, failure type, trigger), never
 * a journey id. Metrics are not commands: adding one needs no patch.
 */
import { metricMeter, workflowInfo } from '@temporalio/workflow';
import type { JourneyState } from '../contract/journey-state';
import type { JourneyProvider } from '../contract/vocabulary';
import { WORKFLOW_METRICS } from '../metrics';

/** How a journey ended, as its metrics label it: a final state, or the failure type it failed with. */
export type JourneyEnd = { state: JourneyState } | { status: 'failed'; failureType: string } | { status: 'cancelled' };

const journeysFinished = metricMeter.createCounter(
  WORKFLOW_METRICS.journeysFinished,
  undefined,
  'Journeys finished, by provider, status, decision, source and failure type',
);
const journeyDuration = metricMeter.createHistogram(
  WORKFLOW_METRICS.journeyDuration,
  'float',
  's',
  'Time from a journey’s start to its end, across continue-as-new, by provider and status',
);
const journeyPolls = metricMeter.createHistogram(
  WORKFLOW_METRICS.journeyPolls,
  'int',
  undefined,
  'Polls a journey made before it ended, by provider',
);
const polls = metricMeter.createCounter(WORKFLOW_METRICS.polls, undefined, 'Polls, by provider and trigger');
const pollJourneyAge = metricMeter.createHistogram(
  WORKFLOW_METRICS.pollJourneyAge,
  'float',
  's',
  'Age of the journey at each poll, by provider',
);
const webhooks = metricMeter.createCounter(
  WORKFLOW_METRICS.webhooks,
  undefined,
  'New webhooks a journey received (duplicates not counted), by provider',
);
const webhooksChangedOutcome = metricMeter.createCounter(
  WORKFLOW_METRICS.webhooksChangedOutcome,
  undefined,
  'Webhooks whose fetch found the journey changed or ended, by provider',
);

/** Seconds since the journey's first run started (the chain's start, so continue-as-new does not reset it). */
function journeyAgeSeconds(): number {
  return Math.max(0, Date.now() - workflowInfo().startTime.getTime()) / 1000;
}

export function recordPoll(provider: JourneyProvider, trigger: 'schedule' | 'webhook'): void {
  polls.add(1, { provider, trigger });
  pollJourneyAge.record(journeyAgeSeconds(), { provider });
}

export function recordWebhook(provider: JourneyProvider): void {
  webhooks.add(1, { provider });
}

export function recordWebhookChangedOutcome(provider: JourneyProvider): void {
  webhooksChangedOutcome.add(1, { provider });
}

export function recordJourneyEnd(provider: JourneyProvider, end: JourneyEnd, pollCount: number): void {
  const labels =
    'state' in end
      ? { status: end.state.status, decision: end.state.decision, source: end.state.source, failure_type: 'none' }
      : {
          status: end.status,
          decision: 'undecided',
          source: 'none',
          failure_type: 'failureType' in end ? end.failureType : 'none',
        };
  journeysFinished.add(1, { provider, ...labels });
  journeyDuration.record(journeyAgeSeconds(), { provider, status: labels.status });
  journeyPolls.record(pollCount, { provider });
}
