import type { StatusTable } from '../status';

/**
 * GBG GO statuses, v1 and v2 alike, in any spelling (`InProgress`/`IN_PROGRESS`): `InProgress` and `Paused` (SDK
 * enum) are non-terminal, `Completed` is the success path, `Failed` and `Error` are terminal failure. `Error` is seen
 * live on v2 only; on v1 it is a failure too rather than an unknown status burning the whole error budget.
 */
export const GBG_STATUSES: StatusTable = {
  inprogress: 'in_progress',
  paused: 'in_progress',
  completed: 'completed',
  failed: 'failed',
  error: 'failed',
};
