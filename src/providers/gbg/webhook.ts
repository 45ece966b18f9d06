/**
 * GBG's Webhook module (v1 and v2): a JSON POST whose body is undocumented; we read `instanceId`, `status` and an
 * optional `eventId`. GBG sends no event id: `gbg:<status>` (or `gbg:webhook`) is derived, because the module fires
 * once per journey, so a retried delivery wakes the workflow at most once per status.
 */
import { z } from 'zod';
import { WebhookBodyError, type WebhookEvent } from '../adapter';
import { firstIssue } from '../errors';
import { lenient } from '../lenient';

const shortText = z.string().min(1).max(200);

/** The journey id stays strict (null is absent); status and eventId of another shape are ignored (../lenient.ts). */
export const gbgWebhookBodySchema = z.looseObject({
  instanceId: z.string().min(1).max(256).nullish(),
  status: lenient(shortText),
  eventId: lenient(shortText),
});

export function parseGbgWebhook(payload: unknown): WebhookEvent {
  const parsed = gbgWebhookBodySchema.safeParse(payload ?? {});
  if (!parsed.success) throw new WebhookBodyError(firstIssue(parsed.error));
  const { instanceId, status, eventId } = parsed.data;
  return {
    ...(instanceId ? { journeyId: instanceId } : {}),
    eventId: eventId ?? `gbg:${status ? status.toLowerCase().replace(/[^a-z0-9]/g, '') : 'webhook'}`,
    ...(status ? { providerStatus: status } : {}),
  };
}
