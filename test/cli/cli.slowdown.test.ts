/** The CLI's slowdown flags: a preset, flags over it, and usage errors naming the flag, all before connecting. */
import { describe, expect, it } from 'vitest';
import { EXIT, runCli } from '../../src/cli';
import { parseInvocation, slowdownOptions, USAGE, UsageError } from '../../src/cli/args';
import { POLLING_PRESETS, RECOMMENDED_SLOWDOWN } from '../../src/contract/polling';

const journeyId = 'cli-slowdown-journey-01';

function optionsOf(...args: string[]) {
  return slowdownOptions(parseInvocation(['start', 'idnow', journeyId, ...args]).values);
}

/** Runs the CLI with no client and no environment: each of these fails before anything connects. */
async function cli(...args: string[]): Promise<{ code: number; err: string }> {
  let err = '';
  const code = await runCli(args, { stdout: () => {}, stderr: (t) => (err += t), env: {} });
  return { code, err };
}

describe('CLI slowdown options', () => {
  it('--polling webhooks is the recommended preset; --polling default the seeds’ schedule', () => {
    expect(optionsOf('--polling', 'webhooks')).toEqual({ slowdown: RECOMMENDED_SLOWDOWN });
    expect(optionsOf('--polling', 'default')).toEqual(POLLING_PRESETS.default);
    expect(optionsOf()).toEqual({});
  });

  it('--slow-* flags go over the preset, or stand alone', () => {
    expect(optionsOf('--polling', 'webhooks', '--slow-max', '10m')).toEqual({
      slowdown: { ...RECOMMENDED_SLOWDOWN, maxIntervalMs: 600_000 },
    });
    expect(optionsOf('--slow-after', '1h', '--slow-factor', '1.5', '--slow-max', '2m')).toEqual({
      slowdown: { afterMs: 3_600_000, factor: 1.5, maxIntervalMs: 120_000 },
    });
    expect(() => optionsOf('--polling', 'sometimes')).toThrow(UsageError);
    expect(() => optionsOf('--slow-factor', 'double')).toThrow(/--slow-factor/);
    expect(USAGE).toContain('--polling default|webhooks');
  });

  it('a bad slowdown exits 2 naming the flag, before connecting', async () => {
    const missing = await cli('start', 'idnow', journeyId, '--slow-after', '15m', '--slow-factor', '2');
    expect(missing.code).toBe(EXIT.USAGE);
    expect(missing.err).toContain('--slow-max: is required');
    const tooFast = await cli('start', 'idnow', journeyId, '--polling', 'webhooks', '--interval', '10m');
    expect(tooFast.code).toBe(EXIT.USAGE);
    expect(tooFast.err).toContain('--slow-max: must be at least polling.baseIntervalMs');
    const factor = await cli('start', 'idnow', journeyId, '--polling', 'webhooks', '--slow-factor', '1');
    expect(factor.err).toContain('--slow-factor: must be a number above 1 and at most 10');
    expect((await cli('status', 'idnow', journeyId, '--polling', 'webhooks')).err).toContain(
      '--polling does not apply to status',
    );
  });
});
