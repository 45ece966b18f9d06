/**
 * GBG's Webhook module (v1 and v2): a JSON POST whose body is undocumented; we read `instanceId`, `status` and an
 * optional `eventId`. GBG sends no event id: `gbg:<status>` (or `gbg:webhook`) is derived, because the module fires
 * once per journey, so a retried delivery wakes the workflow at most once per status. A status or event id over
 * 200 characters is not dropped (which merged distinct webhooks into `gbg:webhook`): its id is a digest of all of
 * it (../webhook-event-id.ts), and the status is reported clipped.
 */
import { z } from 'zod';
import { WebhookBodyError, type WebhookEvent } from '../adapter';
import { firstIssue } from '../errors';
import { lenient } from '../lenient';
import { clip } from '../util';
import { boundedEventId, digestOf, MAX_EVENT_ID_LENGTH } from '../webhook-event-id';

const text = z.string().min(1);

/** The journey id stays strict (null is absent); status and eventId of another shape are ignored (../lenient.ts). */
export const gbgWebhookBodySchema = z.looseObject({
  instanceId: z.string().min(1).max(256).nullish(),
  status: lenient(text),
  eventId: lenient(text),
});

function statusEventId(status: string | undefined): string {
  if (status === undefined) return 'gbg:webhook';
  const word = status.toLowerCase().replace(/[^a-z0-9]/g, '');
  return status.length <= MAX_EVENT_ID_LENGTH && word !== '' ? `gbg:${word}` : `gbg:status-${digestOf(status)}`;
}

export function parseGbgWebhook(payload: unknown): WebhookEvent {
  const parsed = gbgWebhookBodySchema.safeParse(payload ?? {});
  if (!parsed.success) throw new WebhookBodyError(firstIssue(parsed.error));
  const { instanceId, status, eventId } = parsed.data;
  return {
    ...(instanceId ? { journeyId: instanceId } : {}),
    eventId: eventId ? boundedEventId('gbg', eventId) : statusEventId(status ?? undefined),
    ...(status ? { providerStatus: clip(status, MAX_EVENT_ID_LENGTH - 1) } : {}),
  };
}
