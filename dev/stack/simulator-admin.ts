/**
 * Driving a running stack's provider simulator over its admin API (so it works against `npm start` in another
 * process as well as against a stack started in this one): script a journey, and have the simulator send the
 * provider's signed webhook to the stack's webhook receiver with the credentials the receiver expects.
 */
import { DEFAULT_GBG_WEBHOOK_API_KEY_HEADER } from '../../src/config';
import type { JourneyProvider } from '../../src/contract/vocabulary';
import type { GbgWebhookAuth, ScriptEntry, WebhookOptions, WebhookResult } from '../simulator';
import type { StackInfo } from './local-stack';

/** What these helpers need of a stack: a `npm start` stack or any other set of processes (dev/cluster). */
export type SimulatedStack = Pick<StackInfo, 'simulatorUrl' | 'webhookUrl' | 'env'>;

async function post<T>(url: string, body: unknown): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${text.slice(0, 200)}`);
  return JSON.parse(text) as T;
}

function simulatorUrl(stack: SimulatedStack): string {
  if (!stack.simulatorUrl)
    throw new Error('the stack runs no provider simulator (all providers are configured with real credentials)');
  return stack.simulatorUrl;
}

/** Each fetch of the journey consumes one step; the last step repeats (see dev/simulator/script.ts). */
export async function scriptJourney(
  stack: SimulatedStack,
  provider: JourneyProvider,
  journeyId: string,
  script: readonly ScriptEntry[],
): Promise<void> {
  await post(`${simulatorUrl(stack)}/__admin/journeys`, { provider, journeyId, script });
}

/** GBG authenticates with HTTP Basic or an API-key header; IDnow's webhook is a JWT the simulator signs. */
function gbgAuth(env: Record<string, string>): GbgWebhookAuth {
  if (env.GBG_WEBHOOK_BASIC_USER)
    return { type: 'basic', username: env.GBG_WEBHOOK_BASIC_USER, password: env.GBG_WEBHOOK_BASIC_PASSWORD ?? '' };
  if (env.GBG_WEBHOOK_API_KEY)
    return {
      type: 'apiKey',
      header: env.GBG_WEBHOOK_API_KEY_HEADER ?? DEFAULT_GBG_WEBHOOK_API_KEY_HEADER,
      value: env.GBG_WEBHOOK_API_KEY,
    };
  return { type: 'none' };
}

/** The provider's "journey finished" webhook, signed as the provider would, delivered to the stack's receiver. */
export async function sendProviderWebhook(
  stack: SimulatedStack,
  provider: JourneyProvider,
  journeyId: string,
): Promise<WebhookResult> {
  const env = stack.env;
  const webhook: WebhookOptions = { provider, journeyId, url: `${stack.webhookUrl}/webhooks/${provider}` };
  if (provider === 'idnow') {
    if (env.IDNOW_WEBHOOK_AUDIENCE) webhook.audience = env.IDNOW_WEBHOOK_AUDIENCE;
    if (env.IDNOW_WEBHOOK_ISSUER) webhook.issuer = env.IDNOW_WEBHOOK_ISSUER;
    if (env.IDNOW_WEBHOOK_STATIC_HEADER)
      webhook.headers = { [env.IDNOW_WEBHOOK_STATIC_HEADER]: env.IDNOW_WEBHOOK_STATIC_VALUE ?? '' };
  } else {
    webhook.auth = gbgAuth(env);
  }
  return post<WebhookResult>(`${simulatorUrl(stack)}/__admin/webhooks`, webhook);
}

/** A provider outage: every journey's state request answers `httpStatus` (503) until it is ended with `on: false`. */
export async function setSimulatorOutage(stack: SimulatedStack, on: boolean, httpStatus = 503): Promise<void> {
  const url = `${simulatorUrl(stack)}/__admin/outage`;
  if (on) await post(url, { httpStatus });
  else {
    const res = await fetch(url, { method: 'DELETE' });
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  }
}
