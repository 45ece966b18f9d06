/**
 * The webhook receiver process (`npm run webhooks`): configuration errors exit 2 with one line per variable;
 * a configured receiver starts even while Temporal is down (webhooks get 503), serves /healthz, and exits 0 on SIGTERM.
 */
import { Agent, request } from 'undici';
import { describe, expect, it } from 'vitest';
import { spawnEntry } from '../helpers/entry-process';
import { freePorts } from '../helpers/free-ports';
import { RECEIVER_NODE_FLAGS } from '../../src/webhooks/process-tuning';

const start = (env: Record<string, string>, nodeFlags: readonly string[] = []) =>
  spawnEntry('src/webhooks/main.ts', env, nodeFlags);

describe('webhook receiver process', () => {
  it('exits 2 naming each missing or malformed variable', async () => {
    const cases: [Record<string, string>, RegExp[]][] = [
      [{}, [/no webhook authentication is configured/]],
      [
        { GBG_WEBHOOK_BASIC_USER: 'u' },
        [/^\s+GBG_WEBHOOK_BASIC_PASSWORD: missing \(GBG_WEBHOOK_BASIC_USER is set\)$/m],
      ],
      [{ GBG_WEBHOOK_API_KEY_HEADER: 'X-Key' }, [/GBG_WEBHOOK_API_KEY: missing/]],
      [
        { IDNOW_WEBHOOK_JWKS_URL: 'https://auth.example/jwks.json' },
        [/IDNOW_WEBHOOK_ISSUER: missing/, /IDNOW_WEBHOOK_AUDIENCE: missing/],
      ],
      [
        { IDNOW_WEBHOOK_STATIC_VALUE: 'topsecret-value', WEBHOOK_PORT: 'http', WEBHOOK_BODY_LIMIT_BYTES: '-1' },
        [/IDNOW_WEBHOOK_STATIC_HEADER: missing/, /WEBHOOK_PORT: malformed/, /WEBHOOK_BODY_LIMIT_BYTES: malformed/],
      ],
    ];
    const results = await Promise.all(cases.map(([env]) => start(env).exited));
    results.forEach((r, i) => {
      expect(r.code, r.stderr).toBe(2);
      for (const re of cases[i]![1]) expect(r.stderr).toMatch(re);
      expect(r.stderr).not.toContain('topsecret-value');
    });
  });

  it('starts while Temporal is down: /healthz 200, webhooks 503 (or 401 without credentials), SIGTERM exits 0', async () => {
    // One pick for both: two picks could return the same port.
    const [port, temporalPort] = await freePorts(2);
    const p = start({
      WEBHOOK_HOST: '127.0.0.1',
      WEBHOOK_PORT: String(port),
      WEBHOOK_TEMPORAL_TIMEOUT_MS: '1000',
      TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
      GBG_WEBHOOK_BASIC_USER: 'hook',
      GBG_WEBHOOK_BASIC_PASSWORD: 'pw-secret-1',
    });
    try {
      // Started without the receiver's node flags, as this test does, it says its idle GC is off.
      await p.waitForOutput(/webhook receiver listening.*"idleGc":"off \(node started without --max-semi-space-size/);
      const health = await request(`http://127.0.0.1:${port}/healthz`);
      expect(health.statusCode).toBe(200);
      await health.body.dump();
      const body = JSON.stringify({ instanceId: 'abcdef0123456789', status: 'Completed' });
      const noAuth = await request(`http://127.0.0.1:${port}/webhooks/gbg-go-v2`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      });
      expect(noAuth.statusCode).toBe(401);
      await noAuth.body.dump();
      const authed = await request(`http://127.0.0.1:${port}/webhooks/gbg-go-v2`, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          authorization: `Basic ${Buffer.from('hook:pw-secret-1').toString('base64')}`,
        },
      });
      expect(authed.statusCode).toBe(503);
      expect(authed.headers['retry-after']).toBeDefined();
      await authed.body.dump();
      const idnow = await request(`http://127.0.0.1:${port}/webhooks/idnow`, {
        method: 'POST',
        body: 'x.y.z',
        headers: { 'content-type': 'application/jwt' },
      });
      expect(idnow.statusCode).toBe(401);
      await idnow.body.dump();
    } finally {
      p.child.kill('SIGTERM');
    }
    const exit = await p.exited;
    expect(exit.code, exit.stderr).toBe(0);
    expect(exit.stdout).not.toContain('pw-secret-1');
    expect(exit.stdout).not.toContain(Buffer.from('hook:pw-secret-1').toString('base64'));
    const access = exit.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.msg === 'http');
    expect(access.map((l) => l.status)).toEqual([200, 401, 503, 401]);
    for (const l of access)
      expect(Object.keys(l).sort()).toEqual(expect.arrayContaining(['method', 'route', 'status', 'latencyMs']));
  });

  it('started with its node flags (RECEIVER_NODE_FLAGS), gives memory back once idle after a load', async () => {
    const [port, temporalPort] = await freePorts(2);
    const p = start(
      {
        WEBHOOK_PORT: String(port),
        WEBHOOK_METRICS_BIND: 'off',
        WEBHOOK_TEMPORAL_TIMEOUT_MS: '200',
        TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
        LOG_LEVEL: 'DEBUG',
        GBG_WEBHOOK_BASIC_USER: 'hook',
        GBG_WEBHOOK_BASIC_PASSWORD: 'pw-secret-1',
      },
      RECEIVER_NODE_FLAGS,
    );
    const agent = new Agent({ connections: 16 });
    try {
      await p.waitForOutput(/webhook receiver listening.*"idleGc":"a full GC after 5 s without requests"/);
      // 96 bodies of 0.9 MB, each parsed and answered 503 (Temporal is down): RSS grows well past the 32 MiB bound.
      const body = JSON.stringify({ instanceId: 'abcdef0123456789', status: 'In Progress', pad: 'x'.repeat(900_000) });
      const headers = {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from('hook:pw-secret-1').toString('base64')}`,
      };
      const statuses: number[] = [];
      await p.whileRunning(
        Promise.all(
          Array.from({ length: 16 }, async () => {
            for (let i = 0; i < 6; i++) {
              const res = await request(`http://127.0.0.1:${port}/webhooks/gbg-go-v2`, {
                method: 'POST',
                body,
                headers,
                dispatcher: agent,
              });
              await res.body.dump();
              statuses.push(res.statusCode);
            }
          }),
        ),
      );
      expect(new Set(statuses)).toEqual(new Set([503]));
      expect(p.output()).not.toMatch(/idle: full GC/);
      const [, before, after] = await p.waitForOutput(/"msg":"idle: full GC".*"rssMiB":"(\d+) → (\d+)","pauseMs":\d+/);
      expect(Number(after)).toBeLessThan(Number(before));
    } finally {
      await agent.close();
      p.child.kill('SIGTERM');
      await p.exited;
    }
  });
});
