/**
 * The CLI process and its configuration: every configuration problem (address, TLS, API key, profile, encryption
 * keys, credentials the server refuses) exits 2 with one line naming the variable and never its value; 5 only when
 * a well-formed address does not answer.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-ports';
import { startRefusingTemporal } from '../helpers/refusing-temporal';

const root = path.resolve(__dirname, '..', '..');
const home = mkdtempSync(path.join(tmpdir(), 'journey-await-cli-'));
const configFile = path.join(home, 'temporal.toml');
writeFileSync(configFile, '[profile.default]\naddress = "127.0.0.1:1"\n');
const JOURNEY = '0197c55f-5af6-7e3d-af9b-f2359b134be8';
afterAll(() => rmSync(home, { recursive: true, force: true }));

function cli(env: Record<string, string>): Promise<{ code: number | null; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'status', 'idnow', JOURNEY], {
      cwd: root,
      // A fresh HOME and config file: no running stack, no user profile.
      env: { PATH: process.env.PATH ?? '', HOME: home, TEMPORAL_CONFIG_FILE: configFile, ...env },
    });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => resolve({ code, err }));
  });
}

describe('CLI configuration exit codes', () => {
  it('each configuration problem exits 2 with one line naming the variable', async () => {
    const cases: [Record<string, string>, string][] = [
      [{ TEMPORAL_ADDRESS: 'not an address' }, 'TEMPORAL_ADDRESS'],
      [{ TEMPORAL_ADDRESS: 'http://127.0.0.1:7233' }, 'TEMPORAL_ADDRESS'],
      [{ TEMPORAL_ADDRESS: '127.0.0.1:99999' }, 'TEMPORAL_ADDRESS'],
      [
        {
          TEMPORAL_ADDRESS: '127.0.0.1:7233',
          TEMPORAL_TLS_CLIENT_CERT_PATH: '/no/such/cert.pem',
          TEMPORAL_TLS_CLIENT_KEY_PATH: '/no/such/key.pem',
        },
        'TEMPORAL_TLS_CLIENT_CERT_PATH',
      ],
      [
        { TEMPORAL_ADDRESS: '127.0.0.1:7233', TEMPORAL_TLS_SERVER_CA_CERT_PATH: '/no/such/ca.pem' },
        'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
      ],
      [{ TEMPORAL_ADDRESS: '127.0.0.1:7233', TEMPORAL_API_KEY: 'secret-key\nwith a newline' }, 'TEMPORAL_API_KEY'],
      [{ TEMPORAL_PROFILE: 'no-such-profile' }, 'TEMPORAL_PROFILE'],
      [{ TEMPORAL_ADDRESS: '127.0.0.1:7233', JOURNEY_ENCRYPTION_KEYS: 'secret-garbage' }, 'JOURNEY_ENCRYPTION_KEYS'],
      [
        { TEMPORAL_ADDRESS: '127.0.0.1:7233', JOURNEY_ENCRYPTION_KEY_FILE: '/no/such/keys' },
        'JOURNEY_ENCRYPTION_KEY_FILE',
      ],
      [{ TEMPORAL_ADDRESS: '127.0.0.1:7233', TEMPORAL_CONNECT_TIMEOUT_MS: 'soon' }, 'TEMPORAL_CONNECT_TIMEOUT_MS'],
      [{ TEMPORAL_ADDRESS: '127.0.0.1:7233', TEMPORAL_CONNECT_TIMEOUT_MS: '0' }, 'TEMPORAL_CONNECT_TIMEOUT_MS'],
    ];
    const results = await Promise.all(cases.map(([env]) => cli(env)));
    results.forEach((r, i) => {
      const [env, variable] = cases[i]!;
      expect(r.code, `${JSON.stringify(env)}: ${r.err}`).toBe(2);
      expect(r.err, JSON.stringify(env)).toContain(variable);
      expect(r.err.trim().split('\n'), r.err).toHaveLength(1);
      expect(r.err).not.toContain('secret');
    });
  }, 120_000);

  it('credentials the server refuses exit 2 naming what to check, not 5 "unreachable"', async () => {
    const temporal = await startRefusingTemporal();
    try {
      const r = await cli({ TEMPORAL_ADDRESS: temporal.address });
      expect(temporal.calls.length).toBeGreaterThan(0);
      expect(r.code, r.err).toBe(2);
      expect(r.err).toContain('Temporal refused the credentials (check TEMPORAL_API_KEY');
      expect(r.err.trim().split('\n'), r.err).toHaveLength(1);
    } finally {
      await temporal.close();
    }
  }, 60_000);

  it('a well-formed address that does not answer exits 5 (after TEMPORAL_CONNECT_TIMEOUT_MS)', async () => {
    const r = await cli({ TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`, TEMPORAL_CONNECT_TIMEOUT_MS: '500' });
    expect(r.code, r.err).toBe(5);
    expect(r.err).toContain('Temporal is unreachable');
  }, 60_000);
});
