/** Which `journeyWebhook` signals are new: the event ids a journey remembers across continue-as-new. */
import { patched } from '@temporalio/workflow';
import { MAX_WEBHOOK_TEXT_LENGTH, type JourneyWebhook } from '../workflow-contract';

/** Webhook event ids remembered for de-duplication; bounded so a chatty provider cannot grow the state forever. */
export const SEEN_EVENT_IDS_LIMIT = 500;

/** Marks executions that do not remember over-long webhook event ids. */
export const WEBHOOK_EVENT_ID_PATCH = 'journey-webhook-event-id-bound';

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
 * --input) or null is a plain wake-up (it used to fail every workflow task, stalling the journey), and an id too long
 * to carry across continue-as-new is not remembered (executions from before this replay as they ran).
 */
function rememberedEventId(webhook: JourneyWebhook | null | undefined): string | undefined {
  const eventId = webhook?.eventId;
  if (typeof eventId === 'string' && eventId.length > MAX_WEBHOOK_TEXT_LENGTH && patched(WEBHOOK_EVENT_ID_PATCH))
    return undefined;
  return eventId;
}
