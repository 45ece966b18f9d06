/**
 * Webhook bodies are wake-up hints with loosely documented fields: a null or oddly shaped field that the receiver
 * does not use must not turn a genuine delivery into a 400 (the provider would retry, then drop it). The fields it
 * uses (journey id, event id, environment) still answer 400 when malformed.
 */
import { describe, expect, it } from 'vitest';
import { adapters, parseIdnowWebhook, WebhookBodyError } from '../../src/providers';

const parseGbgWebhook = adapters['gbg-go-v2'].webhook.parse;

const sessionId = '0197c55f-5af6-7e3d-af9b-f2359b134be8';

describe('IDnow webhook claims', () => {
  it('session.created with no step yet (null lastStep*, null counters) wakes the session', () => {
    const claims = {
      data: {
        eventId: 'evt-1',
        eventDeliverId: null,
        eventName: 'session.created',
        eventVersion: null,
        eventSequence: null,
        createdAt: '2025-01-07T10:30:00.000Z',
        environment: 'live',
        payload: {
          flowId: '0197c55f-5af6-7e3d-af9b-f2359b154be8',
          sessionId,
          sessionStatus: 'CREATED',
          lastStepId: null,
          lastStepType: null,
          lastStepStatus: null,
        },
      },
    };
    expect(parseIdnowWebhook(claims)).toStrictEqual({
      journeyId: sessionId,
      eventId: 'evt-1',
      providerStatus: 'CREATED',
      environment: 'live',
    });
  });

  it('an unused field of another shape (lastStep* as an object, a numeric createdAt) is ignored', () => {
    const claims = {
      data: {
        eventId: 'evt-2',
        createdAt: 1736245800,
        payload: { sessionId, sessionStatus: 'COMPLETED', lastStepId: { id: 'step_end_001' } },
      },
    };
    expect(parseIdnowWebhook(claims)).toMatchObject({ journeyId: sessionId, providerStatus: 'COMPLETED' });
  });

  it('a malformed field it uses is still a 400', () => {
    expect(() => parseIdnowWebhook({ data: { environment: '../admin', payload: { sessionId } } })).toThrow(
      WebhookBodyError,
    );
    expect(() => parseIdnowWebhook({ data: { payload: { sessionId: 42 } } })).toThrow(WebhookBodyError);
  });
});

describe('GBG Webhook module body (undocumented)', () => {
  it('null fields read as absent', () => {
    expect(parseGbgWebhook({ instanceId: 'Pq_hhIX6-sHUy9FLSDzPLu', status: null, eventId: null })).toStrictEqual({
      journeyId: 'Pq_hhIX6-sHUy9FLSDzPLu',
      eventId: 'gbg:webhook',
    });
  });

  it('a status of another shape is ignored; the journey id still wakes the workflow', () => {
    expect(parseGbgWebhook({ instanceId: 'Pq_hhIX6-sHUy9FLSDzPLu', status: { code: 'Completed' } })).toStrictEqual({
      journeyId: 'Pq_hhIX6-sHUy9FLSDzPLu',
      eventId: 'gbg:webhook',
    });
    expect(() => parseGbgWebhook({ instanceId: 42 })).toThrow(WebhookBodyError);
  });

  it('over-long statuses and event ids get distinct ids, repeated on a retry (they used to merge into gbg:webhook)', () => {
    const instanceId = 'Pq_hhIX6-sHUy9FLSDzPLu';
    const a = parseGbgWebhook({ instanceId, status: `Completed ${'a'.repeat(300)}` });
    const b = parseGbgWebhook({ instanceId, status: `Completed ${'b'.repeat(300)}` });
    expect(a.eventId).toMatch(/^gbg:status-sha256:[0-9a-f]{32}$/);
    expect(b.eventId).not.toBe(a.eventId);
    expect(parseGbgWebhook({ instanceId, status: `Completed ${'a'.repeat(300)}` }).eventId).toBe(a.eventId);
    expect(a.providerStatus!.length).toBeLessThanOrEqual(200);
    const e1 = parseGbgWebhook({ instanceId, status: 'Completed', eventId: `e-${'1'.repeat(300)}` });
    const e2 = parseGbgWebhook({ instanceId, status: 'Completed', eventId: `e-${'2'.repeat(300)}` });
    expect(e1.eventId).toMatch(/^gbg:sha256:[0-9a-f]{32}$/);
    expect(e2.eventId).not.toBe(e1.eventId);
    expect(e1.providerStatus).toBe('Completed');
    // Short ones are kept as they are.
    expect(parseGbgWebhook({ instanceId, eventId: 'evt-1' }).eventId).toBe('evt-1');
    expect(parseGbgWebhook({ instanceId, status: 'In Progress' }).eventId).toBe('gbg:inprogress');
  });
});

describe('IDnow event ids', () => {
  it('an over-long event id is a distinct digest, not a 400', () => {
    const long = (c: string) => ({ data: { eventId: c.repeat(300), payload: { sessionId } } });
    const a = parseIdnowWebhook(long('a')).eventId;
    expect(a).toMatch(/^idnow:sha256:[0-9a-f]{32}$/);
    expect(parseIdnowWebhook(long('b')).eventId).not.toBe(a);
    expect(parseIdnowWebhook(long('a')).eventId).toBe(a);
  });
});
