/**
 * The worker's Prometheus endpoint (METRICS_BIND): the Temporal Runtime serves the SDK's own metrics and the
 * product's (src/metrics), with the product histograms' buckets in base units instead of the exporter's defaults.
 */
import type { PrometheusMetricsExporter } from '@temporalio/worker';
import { METRIC_BUCKETS } from './metrics';

export function workerPrometheusExporter(bindAddress: string): PrometheusMetricsExporter {
  const histogramBucketOverrides = Object.fromEntries(
    Object.entries(METRIC_BUCKETS).map(([name, bounds]) => [name, [...bounds]]),
  );
  return { prometheus: { bindAddress, histogramBucketOverrides } };
}
