/** A test-only patch, defined with the product's registry: the versioning mechanism itself, on a tiny workflow. */
import { definePatch } from '../../../../src/workflows/versions';

export const EXTRA_TIMER_PATCH = definePatch({
  id: 'test-extra-timer',
  since: 'test',
  deprecateAfter: 'test',
  removeAfter: 'test',
  change: 'waits a second before the minute',
});

export const MINUTE = '1 minute';
