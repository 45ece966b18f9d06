/**
 * The registry of workflow patches: every change to the commands `awaitJourneyCompletion` issues is gated by one
 * entry here, so executions that started before the change replay as they ran (docs/design.md "Versioning").
 * Modelled on the SDK's own flag registry: one place, each entry saying when it came and when it can go.
 */
import { deprecatePatch, patched } from '@temporalio/workflow';

export interface WorkflowPatch {
  /** The marker id recorded in history. Never reused, never renamed. */
  readonly id: string;
  /** The release (or, before the first release, the date) whose workflow code added the patch. */
  readonly since: string;
  /**
   * When the old branch can go (switch to `deprecatePatch`): once no execution that started before `since` can
   * still be running or be replayed, i.e. the longest journey plus the history retention after `since`.
   */
  readonly deprecateAfter: string;
  /** When the entry itself can go: once no execution that recorded the marker can still be replayed. */
  readonly removeAfter: string;
  /** What the patched branch does differently. */
  readonly change: string;
}

const registry = new Map<string, WorkflowPatch>();

/** Adds a patch to the registry; a second patch with the same id is a programming error. */
export function definePatch(patch: WorkflowPatch): WorkflowPatch {
  if (registry.has(patch.id)) throw new TypeError(`workflow patch ${patch.id} is defined twice`);
  registry.set(patch.id, patch);
  return patch;
}

/**
 * The product's patches, one `definePatch` entry for each command change since the baseline (the code of
 * 2026-12-07, before the first release).
 */
export const PATCHES = {
  staleMarker: definePatch({
    id: 'journey-stale-marker',
    since: '2026-12-07.1',
    // Journeys started before it without a deadline can run on; by then `list` should show none open
    // (StartTime < 2026-12-07T04:00:00Z AND ExecutionStatus = 'Running'), plus the namespace's retention.
    deprecateAfter: '2027-03-07',
    removeAfter: '2027-06-07',
    change:
      "a failed fetch upserts the stale marker (JourneyStaleSince at a streak's first, JourneyFetchErrors and " +
      'JourneyLastError at each), the next successful fetch clears it; an ordinary poll upserts nothing',
  }),
} as const satisfies Record<string, WorkflowPatch>;

/** Every patch defined so far (the product's, and any a test defines), in definition order. */
export function definedPatches(): WorkflowPatch[] {
  return [...registry.values()];
}

/** True when this execution takes the new branch of `patch` (records its marker; replays keep the old branch). */
export function isPatched(patch: WorkflowPatch): boolean {
  return patched(known(patch).id);
}

/** The patch's second stage: new executions only, its old branch deleted; still records the marker. */
export function deprecated(patch: WorkflowPatch): void {
  deprecatePatch(known(patch).id);
}

function known(patch: WorkflowPatch): WorkflowPatch {
  if (registry.get(patch.id) !== patch) throw new TypeError(`workflow patch ${patch.id} is not in the registry`);
  return patch;
}
