/**
 * ops/prometheus/: the alert rules pass Prometheus's own checker, and promtool's rule unit tests (input series →
 * expected alerts) pass, with every alert of the file shown both firing and not firing.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const dir = path.join(__dirname, '../../ops/prometheus');
const rulesFile = path.join(dir, 'journey-await.rules.yml');
const testFiles = readdirSync(path.join(dir, 'tests'))
  .filter((f) => f.endsWith('.yml'))
  .map((f) => path.join(dir, 'tests', f));

interface RulesFile {
  groups: { rules: { alert?: string }[] }[];
}
interface RuleTests {
  tests: { alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[];
}

const alerts = (parse(readFileSync(rulesFile, 'utf8')) as RulesFile).groups
  .flatMap((g) => g.rules)
  .flatMap((r) => (r.alert ? [r.alert] : []));

describe('Prometheus rules (promtool)', () => {
  it('holds the alerts operators need', () => {
    expect(alerts).toEqual(
      expect.arrayContaining([
        'JourneyProviderErrorRatioHigh',
        'JourneyPollingExhausted',
        'JourneyWebhookAuthFailuresSpiking',
        'JourneyWebhooksMissing',
        'JourneyInProgressTooLong',
        'JourneyWorkersDown',
      ]),
    );
  });

  it('passes promtool check rules', async () => {
    const { stdout } = await run('promtool', ['check', 'rules', rulesFile]);
    expect(stdout).toContain(`SUCCESS: ${alerts.length} rules found`);
  });

  it('passes promtool test rules, each alert tested firing and not firing', async () => {
    const cases = testFiles.flatMap((f) =>
      (parse(readFileSync(f, 'utf8')) as RuleTests).tests.flatMap((t) => t.alert_rule_test ?? []),
    );
    for (const alert of alerts) {
      const mine = cases.filter((c) => c.alertname === alert);
      expect(
        mine.some((c) => (c.exp_alerts ?? []).length > 0),
        `${alert} firing`,
      ).toBe(true);
      expect(
        mine.some((c) => (c.exp_alerts ?? []).length === 0),
        `${alert} not firing`,
      ).toBe(true);
    }
    const { stdout } = await run('promtool', ['test', 'rules', ...testFiles]);
    expect(stdout).toContain('SUCCESS');
  });

  it('the docker-compose Prometheus scrapes the worker and the receiver where they listen, with the rules', () => {
    type Service = { environment?: Record<string, string>; volumes?: string[]; image?: string };
    const compose = parse(readFileSync(path.join(dir, '../../docker-compose.yml'), 'utf8')) as {
      services: Record<string, Service>;
    };
    const config = parse(readFileSync(path.join(dir, 'prometheus.yml'), 'utf8')) as {
      rule_files: string[];
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    const targets = config.scrape_configs.flatMap((c) => c.static_configs.flatMap((s) => s.targets));
    const port = (bind: string | undefined) => bind?.split(':').pop();
    const { worker, webhooks, prometheus } = compose.services;
    expect(targets.sort()).toEqual(
      [
        `webhooks:${port(webhooks?.environment?.WEBHOOK_METRICS_BIND)}`,
        `worker:${port(worker?.environment?.METRICS_BIND)}`,
      ].sort(),
    );
    expect(prometheus?.volumes).toContain('./ops/prometheus:/etc/prometheus:ro');
    expect(config.rule_files).toEqual(['/etc/prometheus/journey-await.rules.yml']);
  });
});
