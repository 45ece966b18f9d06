/**
 * IDnow webhooks: JWT claims `data{eventId, eventDeliverId, eventName, eventVersion, eventSequence, createdAt,
 * environment, payload{flowId, sessionId, sessionStatus, lastStepId, lastStepType, lastStepStatus}}`. Thin (no PII);
 * `eventId` is the same on retries; the order is not guaranteed. `eventVersion`/`eventSequence` are strings in the
 * docs, numbers are accepted too.
 */
import { z } from 'zod';
import { environmentProblem } from '../../contract/identifiers';
import { WebhookBodyError, type WebhookEvent } from '../adapter';
import { firstIssue } from '../errors';
import { lenient } from '../lenient';
import { isRecord } from '../util';
import { boundedEventId } from '../webhook-event-id';

const shortText = z.string().min(1).max(200);
/** Only read for logs and the signal: null or another shape reads as absent (../lenient.ts). */
const info = lenient(shortText);
const counter = lenient(z.union([z.string().max(32), z.number()]));

/** The fields the receiver uses (session id, event id, environment) stay strict, null meaning absent. */
export const idnowWebhookDataSchema = z.looseObject({
  /** Any length: an over-long id is replaced by a digest of it (../webhook-event-id.ts), never merged or dropped. */
  eventId: z.string().min(1).nullish(),
  eventDeliverId: info,
  eventName: info,
  eventVersion: counter,
  eventSequence: counter,
  createdAt: info,
  environment: z
    .string()
    .refine((e) => environmentProblem(e) === undefined, 'must be 1–32 characters of a–z, 0–9 and "-"')
    .nullish(),
  payload: z
    .looseObject({
      flowId: info,
      sessionId: z.string().min(1).max(256).nullish(),
      sessionStatus: info,
      lastStepId: info,
      lastStepType: info,
      lastStepStatus: info,
    })
    .nullish(),
});

/** `payload`: the JWT claims, or the JSON body (`{data: …}` or the data itself) when a static header authenticated it. */
export function parseIdnowWebhook(payload: unknown): WebhookEvent {
  const data = isRecord(payload) && payload.data !== undefined ? payload.data : (payload ?? {});
  const parsed = idnowWebhookDataSchema.safeParse(data);
  if (!parsed.success) throw new WebhookBodyError(firstIssue(parsed.error));
  const { eventId, environment, payload: event } = parsed.data;
  return {
    ...(event?.sessionId ? { journeyId: event.sessionId } : {}),
    ...(eventId ? { eventId: boundedEventId('idnow', eventId) } : {}),
    ...(event?.sessionStatus ? { providerStatus: event.sessionStatus } : {}),
    ...(environment ? { environment } : {}),
  };
}
