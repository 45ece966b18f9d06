/**
 * IDnow webhooks: JWT claims `data{eventId, eventDeliverId, eventName, eventVersion, eventSequence, createdAt,
 * environment, payload{flowId, sessionId, sessionStatus, lastStepId, lastStepType, lastStepStatus}}`. Thin (no PII);
 * `eventId` is the same on retries; the order is not guaranteed. `eventVersion`/`eventSequence` are strings in the
 * docs, numbers are accepted too.
 */
import { z } from 'zod';
import { WebhookBodyError, type WebhookEvent } from '../adapter';
import { firstIssue } from '../errors';
import { isRecord } from '../util';

const shortText = z.string().min(1).max(200);
const counter = z.union([z.string().max(32), z.number()]).optional();

export const idnowWebhookDataSchema = z.looseObject({
  eventId: shortText.optional(),
  eventDeliverId: shortText.optional(),
  eventName: shortText.optional(),
  eventVersion: counter,
  eventSequence: counter,
  createdAt: shortText.optional(),
  environment: z
    .string()
    .regex(/^[a-z0-9-]{1,32}$/)
    .optional(),
  payload: z
    .looseObject({
      flowId: shortText.optional(),
      sessionId: z.string().min(1).max(256).optional(),
      sessionStatus: shortText.optional(),
      lastStepId: shortText.optional(),
      lastStepType: shortText.optional(),
      lastStepStatus: shortText.optional(),
    })
    .optional(),
});

/** `payload`: the JWT claims, or the JSON body (`{data: …}` or the data itself) when a static header authenticated it. */
export function parseIdnowWebhook(payload: unknown): WebhookEvent {
  const data = isRecord(payload) && payload.data !== undefined ? payload.data : (payload ?? {});
  const parsed = idnowWebhookDataSchema.safeParse(data);
  if (!parsed.success) throw new WebhookBodyError(firstIssue(parsed.error));
  const { eventId, environment, payload: event } = parsed.data;
  return {
    ...(event?.sessionId ? { journeyId: event.sessionId } : {}),
    ...(eventId ? { eventId } : {}),
    ...(event?.sessionStatus ? { providerStatus: event.sessionStatus } : {}),
    ...(environment ? { environment } : {}),
  };
}
