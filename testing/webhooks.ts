/**
 * The product's webhook receiver, listening on a free local port with test credentials, and a sender that
 * delivers what each provider would send (GBG JSON with HTTP Basic, IDnow an RS256 JWT from the simulator's
 * key). Every webhook goes through the receiver's real authentication, parsing and signal-with-start.
 */
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { createSigningKey, type SigningKey, type Simulator } from '../dev/simulator';
import type { WebhookAuthConfig } from '../src/config';
import type { JourneyProvider } from '../src/contract/vocabulary';
import { createWebhookServer } from '../src/webhooks/server';

/** The audience the receiver expects in IDnow JWTs (and the simulator puts in them by default). */
const IDNOW_AUDIENCE = 'journey-await';

export interface SendWebhookOptions {
  /** GBG: the body's `status` (default `Completed`). IDnow: `payload.sessionStatus` (default `COMPLETED`). */
  status?: string;
  /** IDnow `data.eventId`; a repeated id is ignored by the workflow. GBG: derived from the status by the receiver. */
  eventId?: string;
  /** IDnow only: JWT as the `application/jwt` body (default) or in `X-Idnow-Signature`. */
  delivery?: 'body' | 'header';
  /** `wrong`: credentials the receiver must refuse (GBG wrong password, IDnow a JWT signed by another key). */
  credentials?: 'valid' | 'wrong';
}

export interface WebhookDelivery {
  /** The receiver's HTTP status: 200 once the signal is recorded, 401, 400 … */
  httpStatus: number;
  /** The receiver's JSON reply, e.g. `{ ok: true, outcome: 'signalled' }`. */
  body: unknown;
  eventId: string;
}

export interface TestWebhookReceiver {
  url: string;
  auth: WebhookAuthConfig;
  send(provider: JourneyProvider, journeyId: string, options?: SendWebhookOptions): Promise<WebhookDelivery>;
  close(): Promise<void>;
}

export async function startTestWebhookReceiver(
  client: Client,
  simulator: Simulator,
  taskQueue: string,
): Promise<TestWebhookReceiver> {
  const basic = { username: 'journey-await-test', password: randomBytes(12).toString('base64url') };
  const auth: WebhookAuthConfig = {
    gbg: { basic },
    idnow: {
      jwt: {
        jwksUrl: `${simulator.url}/idnow/oidc/.well-known/jwks.json`,
        issuer: `${simulator.url}/idnow`,
        audience: IDNOW_AUDIENCE,
      },
    },
  };
  const app = createWebhookServer({ client, config: { auth, taskQueue } });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  let forgedKey: SigningKey | undefined;

  return {
    url,
    auth,
    async send(provider, journeyId, options = {}) {
      const wrong = options.credentials === 'wrong';
      const result = await simulator.sendWebhook({
        provider,
        journeyId,
        url: `${url}/webhooks/${provider}`,
        audience: IDNOW_AUDIENCE,
        ...(options.status !== undefined ? { status: options.status } : {}),
        ...(options.eventId !== undefined ? { eventId: options.eventId } : {}),
        ...(options.delivery ? { delivery: options.delivery } : {}),
        ...(provider === 'idnow'
          ? wrong
            ? { signingKey: (forgedKey ??= createSigningKey('not-in-the-jwks')) }
            : {}
          : { auth: { type: 'basic', username: basic.username, password: wrong ? 'wrong' : basic.password } }),
      });
      let body: unknown = result.body;
      try {
        body = JSON.parse(result.body);
      } catch {
        // not JSON: keep the text
      }
      return { httpStatus: result.status, body, eventId: result.eventId };
    },
    close: () => app.close(),
  };
}
