/**
 * The simulator's provider outage: every journey's state request answers the outage's status (503 by default),
 * for every provider and whatever its script, and each journey resumes where its script was once it ends.
 */
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { useSimulator } from '../helpers/simulator-fixture';

const fixture = useSimulator();

async function call(method: 'GET' | 'POST' | 'DELETE', path: string, body?: string, headers?: Record<string, string>) {
  const res = await request(`${fixture.sim.url}${path}`, { method, body, headers });
  const text = await res.body.text();
  return { status: res.statusCode, json: (text ? JSON.parse(text) : undefined) as Record<string, unknown> };
}

async function tokens(): Promise<{ gbg: string; idnow: string }> {
  const { gbg, idnow } = fixture.sim.credentials;
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const g = await call(
    'POST',
    '/gbg/as/token.oauth2',
    `grant_type=password&client_id=${gbg.clientId}&client_secret=${gbg.clientSecret}&username=${gbg.username}&password=${gbg.password}`,
    form,
  );
  const i = await call(
    'POST',
    '/idnow/oidc/token',
    `grant_type=client_credentials&client_id=${idnow.clientId}&client_secret=${idnow.clientSecret}`,
    form,
  );
  return { gbg: g.json.access_token as string, idnow: i.json.access_token as string };
}

/** The HTTP status of one state fetch per provider. */
async function fetchAll(t: { gbg: string; idnow: string }, ids: { gbg: string; idnow: string }) {
  const gbgHeaders = { authorization: `Bearer ${t.gbg}`, 'content-type': 'application/json' };
  const body = JSON.stringify({ instanceId: ids.gbg });
  const v2 = await call('POST', '/gbg/eu/v2/captain/journey/state/fetch', body, gbgHeaders);
  const v1 = await call('POST', '/gbg/eu/captain/api/journey/state/fetch', body, gbgHeaders);
  const idnow = await call('GET', `/idnow/api/v1/live/sessions/${ids.idnow}`, undefined, {
    authorization: `Bearer ${t.idnow}`,
  });
  return [v2, v1, idnow];
}

describe('simulator outage', () => {
  it('answers 503 for every journey of every provider, and scripts resume where they were', async () => {
    const t = await tokens();
    const ids = { gbg: 'outage-gbg-0123456789', idnow: 'outage-idnow-0123456789' };
    for (const provider of ['gbg-go-v2', 'gbg-go-v1'] as const) fixture.sim.script(provider, ids.gbg, ['completed']);
    fixture.sim.script('idnow', ids.idnow, ['in_progress', 'completed']);

    fixture.sim.outage(true);
    for (let i = 0; i < 3; i++) expect((await fetchAll(t, ids)).map((r) => r.status)).toEqual([503, 503, 503]);
    expect(fixture.sim.journey('idnow', ids.idnow)).toMatchObject({ fetches: 0, step: 0 });
    expect(fixture.sim.stats().outageReplies).toBe(9);

    fixture.sim.outage(false);
    const after = await fetchAll(t, ids);
    expect(after.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(after[0]!.json.status).toBe('Completed');
    expect(fixture.sim.journey('idnow', ids.idnow)).toMatchObject({ fetches: 1, step: 1 });
  });

  it('the admin API starts an outage with a status of choice and ends it; a bad status is refused', async () => {
    const t = await tokens();
    const ids = { gbg: 'outage-admin-0123456789', idnow: 'outage-admin-0123456789' };
    expect((await call('POST', '/__admin/outage', JSON.stringify({ httpStatus: 502 }))).json).toEqual({
      outage: { httpStatus: 502 },
    });
    expect((await fetchAll(t, ids)).map((r) => r.status)).toEqual([502, 502, 502]);
    expect((await call('POST', '/__admin/outage')).json).toEqual({ outage: { httpStatus: 503 } });
    expect((await fetchAll(t, ids)).map((r) => r.status)).toEqual([503, 503, 503]);
    for (const httpStatus of [200, 99, '503', 600])
      expect((await call('POST', '/__admin/outage', JSON.stringify({ httpStatus }))).status).toBe(400);
    expect((await call('DELETE', '/__admin/outage')).json).toEqual({ ok: true });
    expect((await fetchAll(t, ids)).map((r) => r.status)).toEqual([200, 200, 200]);
    expect(() => fixture.sim.outage(true, 200)).toThrow(RangeError);
  });

  it('a reset ends the outage', async () => {
    fixture.sim.outage(true);
    fixture.sim.reset();
    const t = await tokens();
    expect(
      (await fetchAll(t, { gbg: 'outage-reset-0123456789', idnow: 'outage-reset-01234567' })).map((r) => r.status),
    ).toEqual([200, 200, 200]);
  });
});
