/** Which `journeyWebhook` signals are new: the event ids a journey remembers across continue-as-new. */
import { MAX_WEBHOOK_TEXT_LENGTH, type JourneyWebhook } from '../contract/workflow';

/** Webhook event ids remembered for de-duplication; bounded so a chatty provider cannot grow the state forever. */
export const SEEN_EVENT_IDS_LIMIT = 500;

/**
 * Remembers the webhook's event id in `seenEventIds` (oldest first, bounded); false for one seen before. Webhooks
 * without an id always count.
 */
export function isNewWebhook(seenEventIds: string[], webhook: JourneyWebhook | null | undefined): boolean {
  const eventId = rememberedEventId(webhook);
  if (eventId === undefined) return true;
  if (seenEventIds.includes(eventId)) return false;
  seenEventIds.push(eventId);
  if (seenEventIds.length > SEEN_EVENT_IDS_LIMIT) seenEventIds.shift();
  return true;
}

/**
 * The event id to de-duplicate on. Other tools can send anything: no argument at all (the temporal CLI without
 * --input) or null is a plain wake-up, and an id too long to carry across continue-as-new is not remembered.
 */
function rememberedEventId(webhook: JourneyWebhook | null | undefined): string | undefined {
  const eventId = webhook?.eventId;
  return typeof eventId === 'string' && eventId.length > MAX_WEBHOOK_TEXT_LENGTH ? undefined : eventId;
}
