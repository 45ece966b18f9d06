/**
 * The webhook receiver under abusive clients, over real sockets and against the Temporal dev server: slow bodies
 * and headers lose their connection (and the receiver keeps answering), every error has the app's JSON shape and
 * echoes nothing of the request, and the default bind is loopback.
 */
import { randomUUID } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookSettingsFromEnv } from '../../src/config';
import { journeySearchAttributeKeys } from '../../src/contract/workflow';
import { createWebhookServer } from '../../src/webhooks/server';
import { eventually } from '../helpers/eventually';
import { createLocalEnv } from '../helpers/temporal-env';

const BASIC = { username: 'gbg-hook', password: 'limits-test-password' };
const basicAuth = `Basic ${Buffer.from(`${BASIC.username}:${BASIC.password}`).toString('base64')}`;
const TASK_QUEUE = `limits-${randomUUID().slice(0, 8)}`;

let env: TestWorkflowEnvironment;
let app: FastifyInstance;
let base: string;
let port: number;

beforeAll(async () => {
  env = await createLocalEnv({ server: { searchAttributes: journeySearchAttributeKeys } });
  app = createWebhookServer({
    client: env.client,
    // Short limits so the test does not wait long; the defaults are 8 s / 5 s / 5 s.
    config: {
      auth: { gbg: { basic: BASIC } },
      taskQueue: TASK_QUEUE,
      timeouts: { requestMs: 1_000, headersMs: 800, idleMs: 800 },
    },
  });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
  port = Number(new URL(base).port);
}, 120_000);

afterAll(async () => {
  await app?.close();
  await env?.teardown();
});

interface SlowClient {
  socket: Socket;
  closed: boolean;
  received: string;
}

/** Sends the headers at once, then one byte of a 10 kB body every 100 ms, forever. */
function slowBodyClient(authenticated: boolean): SlowClient {
  const socket = connect(port, '127.0.0.1');
  const client: SlowClient = { socket, closed: false, received: '' };
  socket.setNoDelay(true);
  socket.write(
    `POST /webhooks/gbg-go-v2/slow-${randomUUID()} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n` +
      `${authenticated ? `Authorization: ${basicAuth}\r\n` : ''}\r\n{`,
  );
  const trickle = setInterval(() => socket.writable && socket.write(' '), 100);
  socket.on('data', (d) => (client.received += d));
  socket.on('error', () => {});
  socket.on('close', () => {
    clearInterval(trickle);
    client.closed = true;
  });
  return client;
}

async function rawRequest(text: string): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  let received = '';
  socket.on('data', (d) => (received += d));
  socket.on('error', () => {});
  socket.write(text);
  await new Promise((resolve) => socket.once('close', resolve).once('end', resolve));
  socket.destroy();
  return received;
}

const bodyOf = (raw: string) => JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;

describe('slow clients cannot hold the receiver', () => {
  it('100 connections trickling a body are closed, and the receiver keeps answering meanwhile', async () => {
    const clients = Array.from({ length: 100 }, (_, i) => slowBodyClient(i % 2 === 0));
    try {
      await eventually(() => (clients.every((c) => c.socket.remotePort !== undefined) ? true : undefined));
      // While they trickle, a real webhook is recorded in Temporal and /healthz answers.
      const journeyId = `limits-${randomUUID()}`;
      const ok = await request(`${base}/webhooks/gbg-go-v2/${journeyId}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: basicAuth },
        body: JSON.stringify({ status: 'Completed' }),
      });
      expect(ok.statusCode).toBe(200);
      await ok.body.dump();
      expect((await request(`${base}/healthz`)).statusCode).toBe(200);

      const allClosed = await eventually(() => (clients.every((c) => c.closed) ? true : undefined), 30_000);
      expect(clients.filter((c) => !c.closed)).toHaveLength(0);
      expect(allClosed).toBe(true);
      // Unauthenticated ones got their 401 at once; the authenticated ones a JSON 408.
      expect(clients.filter((_, i) => i % 2 === 1).every((c) => c.received.startsWith('HTTP/1.1 401'))).toBe(true);
      const timedOut = clients.filter((_, i) => i % 2 === 0);
      expect(timedOut.every((c) => c.received.startsWith('HTTP/1.1 408'))).toBe(true);
      expect(bodyOf(timedOut[0]!.received)).toEqual({
        error: 'request_timeout',
        message: 'the request was not received in time',
      });

      const after = await request(`${base}/healthz`);
      expect(after.statusCode).toBe(200);
      await after.body.dump();
    } finally {
      for (const c of clients) c.socket.destroy();
    }
  }, 60_000);

  it('a client trickling its headers is closed too', async () => {
    const socket = connect(port, '127.0.0.1');
    let closed = false;
    socket.on('error', () => {});
    socket.on('close', () => (closed = true));
    socket.write('POST /webhooks/gbg-go-v2 HTTP/1.1\r\n');
    const trickle = setInterval(() => socket.writable && socket.write('X-Slow: a\r\n'), 100);
    try {
      expect(await eventually(() => (closed ? true : undefined), 30_000)).toBe(true);
    } finally {
      clearInterval(trickle);
      socket.destroy();
    }
  });
});

describe('every error has the same JSON shape and echoes nothing', () => {
  const longId = `echo-me-${'x'.repeat(150)}`;

  it('a journey id longer than the router allows: 414 in the app shape, not the path', async () => {
    const res = await request(`${base}/webhooks/gbg-go-v2/${longId}`, {
      method: 'POST',
      headers: { authorization: basicAuth },
      body: '{}',
    });
    const text = await res.body.text();
    expect(res.statusCode).toBe(414);
    expect(JSON.parse(text)).toEqual({ error: 'uri_too_long', message: expect.any(String) });
    expect(text).not.toContain('echo-me');
  });

  it('a malformed URL, malformed HTTP and oversized headers', async () => {
    const badUrl = await request(`${base}/webhooks/gbg-go-v2/%E0%A4%A-echo-me`, {
      method: 'POST',
      headers: { authorization: basicAuth },
      body: '{}',
    });
    const badUrlText = await badUrl.body.text();
    expect(badUrl.statusCode).toBe(400);
    expect(Object.keys(JSON.parse(badUrlText)).sort()).toEqual(['error', 'message']);
    expect(badUrlText).not.toContain('echo-me');

    const garbage = await rawRequest('POST /webhooks/gbg-go-v2 HTTP/1.1\r\nHost: x\r\nContent-Length: echo-me\r\n\r\n');
    expect(garbage).toMatch(/^HTTP\/1\.1 400/);
    expect(bodyOf(garbage)).toEqual({ error: 'bad_request', message: 'the request could not be read' });
    expect(garbage).not.toContain('echo-me');

    const huge = await rawRequest(
      `POST /webhooks/gbg-go-v2 HTTP/1.1\r\nHost: x\r\nX-Echo-Me: ${'y'.repeat(20_000)}\r\n\r\n`,
    );
    expect(huge).toMatch(/^HTTP\/1\.1 431/);
    expect(bodyOf(huge)).toEqual({ error: 'headers_too_large', message: 'the request headers are too large' });
  });

  it('the journey id is not echoed in a 400 either', async () => {
    const res = await request(`${base}/webhooks/gbg-go-v2/echo-me%20spaced`, {
      method: 'POST',
      headers: { authorization: basicAuth, 'content-type': 'application/json' },
      body: '{}',
    });
    const text = await res.body.text();
    expect(res.statusCode).toBe(400);
    expect(Object.keys(JSON.parse(text)).sort()).toEqual(['error', 'message']);
    expect(text).not.toContain('echo-me');
  });
});

describe('bind address and timeout settings', () => {
  const auth = { GBG_WEBHOOK_BASIC_USER: 'u', GBG_WEBHOOK_BASIC_PASSWORD: 'p' };

  it('binds loopback by default; the timeouts default below the 10 s delivery deadline', () => {
    const settings = webhookSettingsFromEnv(auth);
    expect(settings.host).toBe('127.0.0.1');
    expect(Math.max(settings.timeouts.requestMs, settings.timeouts.headersMs, settings.timeouts.idleMs)).toBeLessThan(
      10_000,
    );
    expect(webhookSettingsFromEnv({ ...auth, WEBHOOK_HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
  });

  it('malformed timeouts name the variable', () => {
    expect(() => webhookSettingsFromEnv({ ...auth, WEBHOOK_REQUEST_TIMEOUT_MS: '0' })).toThrow(
      /WEBHOOK_REQUEST_TIMEOUT_MS: malformed/,
    );
    expect(() =>
      webhookSettingsFromEnv({ ...auth, WEBHOOK_REQUEST_TIMEOUT_MS: '1000', WEBHOOK_HEADERS_TIMEOUT_MS: '2000' }),
    ).toThrow(/WEBHOOK_HEADERS_TIMEOUT_MS: malformed/);
  });
});
