/** Human-readable lines for progress, final states and status reports. */
import type { JourneyStatusReport, JourneySummary, RedrivenJourney } from '../client';
import type { JourneyState } from '../contract/journey-state';
import { DEFAULT_POLLING } from '../contract/polling';
import type { JourneyProgress } from '../contract/workflow';
import { shortDuration } from '../workflows/slowdown';

function until(iso: string, now = Date.now()): string {
  const s = Math.round((Date.parse(iso) - now) / 1000);
  return s > 0 ? `in ${s}s` : 'due now';
}

/** One readable line of progress, e.g. `in_progress · poll #3 · errors 1/30 (FetchFailed: …) · next poll in 8s · webhooks 1`. */
export function progressLine(p: JourneyProgress): string {
  // The journey's own budget; 30 (the default) for workflows that predate reporting it.
  const parts = [
    p.status,
    `poll #${p.polls}`,
    `errors ${p.consecutiveErrors}/${p.maxConsecutiveErrors ?? DEFAULT_POLLING.maxConsecutiveErrors}`,
  ];
  if (p.lastError && p.consecutiveErrors > 0) parts[2] += ` (${p.lastError.slice(0, 120)})`;
  if (p.nextPollAt) parts.push(`next poll ${until(p.nextPollAt)}`);
  // A slowdown's pace: the wait after a successful fetch now, and how long nothing has changed.
  if (p.slowdown)
    parts.push(
      `pace every ${shortDuration(p.slowdown.intervalMs)} (quiet ${shortDuration(Math.max(0, Date.now() - Date.parse(p.slowdown.quietSince)))})`,
    );
  parts.push(`webhooks ${p.webhooksReceived}`);
  if (p.lastState?.providerStatus) parts.push(`provider says ${p.lastState.providerStatus}`);
  // A provider may decide before its status is terminal: shown, but the journey keeps waiting.
  if (p.lastState && !p.lastState.terminal && p.lastState.decision !== 'undecided')
    parts.push(`decided ${p.lastState.decision} (not final)`);
  return parts.join(' · ');
}

export function stateLines(s: JourneyState): string[] {
  const lines = [
    `status:          ${s.status}${s.terminal ? ' (final)' : ''}`,
    `decision:        ${s.decision}${s.outcome ? ` (${s.outcome})` : ''}`,
    `provider status: ${s.providerStatus}`,
    `decided by:      ${s.source}`,
  ];
  if (s.journey?.name)
    lines.push(`journey:         ${s.journey.name}${s.journey.version ? ` v${s.journey.version}` : ''}`);
  if (s.completedAt)
    lines.push(
      `completed at:    ${s.completedAt}${s.durationMs !== undefined ? ` (${Math.round(s.durationMs / 1000)}s)` : ''}`,
    );
  if (s.subjectUnavailable)
    lines.push(
      `subject:         unavailable (${s.subjectUnavailable.reason} after ${s.subjectUnavailable.attempts} tries: ${s.subjectUnavailable.message})`,
    );
  if (s.steps.length)
    lines.push(
      `steps:           ${s.steps.map((st) => `${st.id}${st.outcome ? `=${st.outcome}` : st.status ? `=${st.status}` : ''}`).join(', ')}`,
    );
  lines.push(`observed at:     ${s.observedAt}`);
  return lines;
}

export function statusLines(r: JourneyStatusReport): string[] {
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

/** Rows padded to their widest cell, under a header row. */
function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows].map((cells) =>
    cells
      .map((c, i) => (i < cells.length - 1 ? c.padEnd(widths[i]!) : c))
      .join('  ')
      .trimEnd(),
  );
}

/** `list`: one journey a row; with `stale`, when its last successful fetch was and its failing fetches. */
export function journeyTable(rows: JourneySummary[], opts: { stale?: boolean } = {}): string[] {
  const header = ['WORKFLOW ID', 'EXECUTION', 'STATUS', 'DECISION', 'STARTED'];
  if (opts.stale) header.push('LAST SUCCESS', 'ERRORS', 'LAST ERROR');
  return table(
    header,
    rows.map((r) => [
      r.workflowId,
      r.executionStatus,
      r.journeyStatus ?? '',
      r.journeyDecision ?? '',
      r.startTime,
      ...(opts.stale
        ? [r.staleSince ?? '', r.fetchErrors !== undefined ? String(r.fetchErrors) : '', r.lastError ?? '']
        : []),
    ]),
  );
}

/** `redrive`: what happened to each failed journey. */
export function redriveTable(rows: RedrivenJourney[]): string[] {
  return table(
    ['WORKFLOW ID', 'FAILURE', 'CLOSED', 'OUTCOME', 'NEW RUN'],
    rows.map((r) => [r.workflowId, r.failureType, r.closeTime, r.outcome, r.runId ?? '']),
  );
}
