/** Reading workflow histories for the bench: event sizes as the server stores them (protobuf) and timestamps. */
import type { Client } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';

export type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
export const EventType = temporal.api.enums.v1.EventType;

/** Encoded size of one event: what it costs in the server's history (without codecs or compression). */
export function eventBytes(event: HistoryEvent): number {
  return temporal.api.history.v1.HistoryEvent.encode(event).finish().length;
}

export function eventMs(event: HistoryEvent): number {
  return tsToMs(event.eventTime);
}

export async function historyOf(client: Client, workflowId: string, runId?: string): Promise<HistoryEvent[]> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  return history.events ?? [];
}

export function firstOf(events: HistoryEvent[], type: temporal.api.enums.v1.EventType): HistoryEvent | undefined {
  return events.find((e) => e.eventType === type);
}

/** Every run of a continue-as-new chain, oldest first, as one list of events. */
export async function chainHistory(client: Client, workflowId: string, firstRunId: string): Promise<HistoryEvent[][]> {
  const runs: HistoryEvent[][] = [];
  let runId: string | undefined = firstRunId;
  while (runId) {
    const events = await historyOf(client, workflowId, runId);
    runs.push(events);
    runId = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return runs;
}
