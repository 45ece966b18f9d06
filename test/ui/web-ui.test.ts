/**
 * The operator's view, in a real browser: the whole stack on its own ports, the demo's journeys (plus one left in
 * progress), and the Temporal Web UI driven by headless Chromium. What an operator relies on: the list filtered by
 * the JourneyStatus search attribute, the workflow's summary, the poll timers' summaries in the event history, and
 * the input and result decoded through the codec server (they are encrypted in Temporal). Screenshots go to
 * .screenshots/ (git-ignored).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SCENARIOS, IN_PROGRESS_SCENARIO, runDemo, type DemoResult } from '../../dev/stack/demo';
import { startLocalStack, type LocalStack } from '../../dev/stack/local-stack';
import { freeStackPorts, machineEnv } from '../helpers/local-stack-setup';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = path.resolve(__dirname, '../../.screenshots');

let stack: LocalStack | undefined;
let dataDir: string | undefined;
let browser: Browser | undefined;
let results: DemoResult[] = [];
const demoLog: string[] = [];
/** Requests the Web UI made to the codec server (the browser decodes through it, not the UI's backend). */
const codecRequests: string[] = [];

function result(provider: string, prefix: string): DemoResult {
  const found = results.find((r) => r.provider === provider && r.journeyId.startsWith(`${prefix}-`));
  if (!found) throw new Error(`no demo journey ${provider} ${prefix}`);
  return found;
}

/**
 * Waits until the page's text holds every expected string, reloading now and then (the list and history pages do
 * not refresh by themselves); fails naming the missing ones, with a screenshot.
 */
async function expectTexts(page: Page, name: string, texts: string[], timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let body = '';
  for (let polls = 0; Date.now() < deadline; polls++) {
    if (polls > 0 && polls % 10 === 0) await page.reload();
    await page.waitForTimeout(500);
    body = await page.innerText('body').catch(() => '');
    if (texts.every((t) => body.includes(t))) {
      await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
      return body;
    }
  }
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-failed.png`), fullPage: true }).catch(() => {});
  const missing = texts.filter((t) => !body.includes(t));
  throw new Error(`${name}: the page does not show ${JSON.stringify(missing)} (see .screenshots/${name}-failed.png)`);
}

async function openPage(url: string): Promise<Page> {
  const page = await browser!.newPage({ viewport: { width: 1600, height: 1000 } });
  page.on('request', (req) => {
    if (stack && req.url().startsWith(stack.codecUrl)) codecRequests.push(req.url());
  });
  await page.goto(url);
  return page;
}

const listUrl = (query: string) => `${stack!.uiUrl}/namespaces/default/workflows?query=${encodeURIComponent(query)}`;

describe('the Temporal Web UI (headless Chromium)', () => {
  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)`);
    mkdirSync(SCREENSHOTS, { recursive: true });
    dataDir = mkdtempSync(path.join(tmpdir(), 'journey-await-ui-'));
    stack = await startLocalStack({ dataDir, ports: await freeStackPorts(), env: machineEnv(), log: () => {} });
    results = await runDemo(stack, {
      scenarios: [...DEMO_SCENARIOS, IN_PROGRESS_SCENARIO],
      log: (line) => demoLog.push(line),
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('the demo ends every journey as its scenario says', () => {
    const unexpected = results.filter((r) => !r.asExpected);
    expect(unexpected, `demo output:\n${demoLog.join('\n')}`).toEqual([]);
    expect(results.map((r) => r.provider)).toEqual(expect.arrayContaining(['gbg-go-v2', 'gbg-go-v1', 'idnow']));
  });

  it('lists the journeys by JourneyStatus', async () => {
    const completed = results.filter((r) => r.status === 'completed').map((r) => r.workflowId);
    const page = await openPage(listUrl(`JourneyStatus='completed'`));
    const body = await expectTexts(page, 'ui-list-completed', completed);
    // The filter really filters: journeys in other states are not in this list.
    expect(body).not.toContain(result('gbg-go-v1', 'sim-fail-after-1').workflowId);
    expect(body).not.toContain(result('gbg-go-v2', 'sim-in-progress').workflowId);

    await page.goto(listUrl(`JourneyStatus='in_progress'`));
    await expectTexts(page, 'ui-list-in-progress', [result('gbg-go-v2', 'sim-in-progress').workflowId]);
    await page.goto(listUrl(`JourneyStatus='failed'`));
    await expectTexts(page, 'ui-list-failed', [result('gbg-go-v1', 'sim-fail-after-1').workflowId]);
    await page.close();
  });

  it("shows a finished journey's summary, poll timers and decoded result", async () => {
    const journey = result('gbg-go-v2', 'sim-complete-after-2');
    const page = await openPage(journey.uiLink!);
    const body = await expectTexts(page, 'ui-workflow-completed', [
      journey.workflowId,
      'gbg-go-v2 journey sim-c…', // staticSummary
      'poll #1 · next in 10s · errors 0/30', // timer summaries
      'poll #2 · next in 10s · errors 0/30',
      'poll #3 · errors 0/30', // the fetchState activity's summary
      // Input and result, decoded by the codec server: in Temporal they are binary/encrypted.
      '"journeyId": "sim-complete-after-2-',
      '"providerStatus": "Completed"',
      '"decision": "accepted"',
      '"source": "poll"',
    ]);
    expect(body).not.toContain('binary/encrypted');
    expect(
      codecRequests.some((url) => url.endsWith('/decode')),
      `codec server requests: ${codecRequests.join(', ')}`,
    ).toBe(true);
    await page.close();
  });

  it('shows a webhook-decided journey, a running one and a given-up one', async () => {
    const webhook = result('idnow', 'sim-webhook');
    let page = await openPage(webhook.uiLink!);
    await expectTexts(page, 'ui-workflow-webhook', [
      'idnow journey sim-w…',
      'journeyWebhook',
      'poll #2 · webhook · errors 0/30',
      '"source": "webhook"',
    ]);
    await page.close();

    const running = result('gbg-go-v2', 'sim-in-progress');
    page = await openPage(running.uiLink!);
    await expectTexts(page, 'ui-workflow-running', [
      'Running',
      'gbg-go-v2 journey sim-i…',
      'poll #1 · next in 10s · errors 0/30',
    ]);
    await page.close();

    const gaveUp = result('gbg-go-v2', 'sim-http-503');
    page = await openPage(gaveUp.uiLink!);
    await expectTexts(page, 'ui-workflow-gave-up', [
      'Failed',
      'JourneyPollingExhausted',
      'errors 29/30',
      'gave up after 30 consecutive failed fetches',
    ]);
    await page.close();
  });
});
