/**
 * A Prometheus configuration for the local stack, written to its data folder: it scrapes the worker's and the
 * webhook receiver's /metrics and loads the repository's alert rules, so `prometheus --config.file=<it>` (Debian's
 * `prometheus` package) watches the stack as production would. Grafana: add that Prometheus as a data source and
 * import ops/grafana/journey-await.json.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';

export const RULES_FILE = path.join(__dirname, '../../ops/prometheus/journey-await.rules.yml');
/** The scrape jobs' names, as the dashboard and rules do not depend on them (they match on metric names only). */
export const SCRAPE_JOBS = { worker: 'journey-await-worker', webhooks: 'journey-await-webhooks' } as const;

/** `http://host:port/metrics` → `host:port`. */
const target = (url: string) => new URL(url).host;

export function prometheusConfig(
  urls: { worker?: string; webhooks?: string },
  opts: { scrapeInterval?: string; rulesFile?: string } = {},
): string {
  const interval = opts.scrapeInterval ?? '15s';
  const jobs = (Object.entries(SCRAPE_JOBS) as [keyof typeof SCRAPE_JOBS, string][])
    .filter(([key]) => urls[key])
    .map(([key, job]) => ({ job_name: job, static_configs: [{ targets: [target(urls[key]!)] }] }));
  return stringify({
    global: { scrape_interval: interval, evaluation_interval: interval },
    rule_files: [opts.rulesFile ?? RULES_FILE],
    scrape_configs: jobs,
  });
}

/** Writes `prometheus.yml` into the stack's data folder; returns its path, or undefined with both endpoints off. */
export function writeStackPrometheusConfig(dataDir: string, urls: { worker?: string; webhooks?: string }) {
  if (!urls.worker && !urls.webhooks) return undefined;
  const file = path.join(dataDir, 'prometheus.yml');
  writeFileSync(file, prometheusConfig(urls));
  return file;
}
