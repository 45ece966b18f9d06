/**
 * Event ids of webhooks, bounded without merging: an id longer than MAX_EVENT_ID_LENGTH is replaced by a digest of
 * the whole id, so a retried delivery still repeats its id and two different deliveries never share one. (Refusing
 * it with a 400 instead would make the provider retry a delivery that can never succeed, and the journey would
 * learn of the change only at its next poll.)
 */
import { createHash } from 'node:crypto';

export const MAX_EVENT_ID_LENGTH = 200;

/** `sha256:<32 hex>` of the text: 128 bits, distinct for distinct texts in practice. */
export const digestOf = (text: string): string =>
  `sha256:${createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 32)}`;

/** The id itself when short enough, else `<prefix>:sha256:…` of all of it. */
export function boundedEventId(prefix: string, eventId: string): string {
  return eventId.length <= MAX_EVENT_ID_LENGTH ? eventId : `${prefix}:${digestOf(eventId)}`;
}
