/** Status look-up shared by the providers: case-insensitive, `_` removed (docs/providers.md), unknown values are errors. */
import type { JourneyProvider, JourneyStatus } from '../contract/vocabulary';
import { ProviderResponseError, quoteValue } from './errors';

/** `IN_PROGRESS`, `InProgress` and `inprogress` all become `inprogress`. */
export function statusKey(value: string): string {
  return value.toLowerCase().replace(/_/g, '');
}

export type StatusTable = Readonly<Record<string, JourneyStatus>>;

/** Maps a provider status via its table (keys already in `statusKey` form); throws naming the field and value. */
export function mapStatus(provider: JourneyProvider, table: StatusTable, value: string, field: string): JourneyStatus {
  const key = statusKey(value);
  const status = Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
  if (!status) throw new ProviderResponseError(provider, field, `unknown status ${quoteValue(value)}`);
  return status;
}
