/**
 * `npm run webhooks`: the webhook receiver process. Settings from env (see .env.example), the Temporal connection
 * from @temporalio/envconfig. It starts even while Temporal is down (webhooks are then answered 503, so providers
 * retry). Exit code 2 on a configuration error, one line per missing or malformed variable.
 */
import { connectClient } from '../client';
import {
  ConfigError,
  configErrorReport,
  journeyDataConverter,
  tracingSettingsFromEnv,
  webhookSettingsFromEnv,
} from '../config';
import { startTracing, type Tracing } from '../tracing';
import { createJsonLogger } from '../logger';
import { adapters } from '../providers/registry';
import { createWebhookMetrics, serveMetrics, visibilityRunningJourneys } from './metrics';
import { tuneReceiverProcess } from './process-tuning';
import { createWebhookServer } from './server';

export async function main(): Promise<void> {
  let settings;
  let tracing: Tracing | undefined;
  try {
    settings = webhookSettingsFromEnv();
    journeyDataConverter();
    // Before the client, so its Temporal calls are traced as this service's.
    tracing = startTracing(tracingSettingsFromEnv(), 'journey-await-webhooks');
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`journey-await webhooks: ${configErrorReport(err)}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createJsonLogger(settings.logLevel, undefined, { service: 'journey-await-webhooks' });
  let client;
  try {
    client = await connectClient({ lazy: true });
  } catch (err) {
    process.stderr.write(
      `journey-await webhooks: invalid Temporal connection configuration: ${(err as Error).message}\n`,
    );
    process.exit(2);
  }
  const metrics = settings.metricsBind
    ? createWebhookMetrics({
        auth: settings.auth,
        runningJourneys: visibilityRunningJourneys(client, client.options.namespace),
      })
    : undefined;
  const app = createWebhookServer({
    client,
    logger,
    ...(metrics ? { metrics } : {}),
    config: {
      auth: settings.auth,
      taskQueue: settings.taskQueue,
      bodyLimitBytes: settings.bodyLimitBytes,
      temporalTimeoutMs: settings.temporalTimeoutMs,
      timeouts: settings.timeouts,
    },
  });
  const address = await app.listen({ host: settings.host, port: settings.port });
  const metricsServer =
    metrics && settings.metricsBind ? await serveMetrics(metrics.registry, settings.metricsBind) : undefined;
  const routes = Object.values(adapters).map(({ provider, webhook }) => ({
    provider,
    configured: settings.auth[webhook.auth.configKey] !== undefined,
    scheme: webhook.auth.scheme,
  }));
  const authenticated = routes.filter((r) => r.configured).map((r) => `${r.provider} (${r.scheme})`);
  logger.info('webhook receiver listening', {
    address,
    taskQueue: settings.taskQueue,
    authenticated: authenticated.join('; '),
    metrics: metricsServer ? `http://${metricsServer.address}/metrics` : 'off',
    idleGc: tuneReceiverProcess(app, logger),
  });
  for (const r of routes.filter((route) => !route.configured)) {
    logger.warn(`${r.provider} webhooks have no authentication configured: they will all be rejected (401)`);
  }

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info('shutting down: finishing in-flight webhooks', { signal });
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    await app.close();
    await metricsServer?.close();
    await tracing?.shutdown().catch(() => {});
    await client.connection.close().catch(() => {});
    logger.info('stopped');
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(
      `journey-await webhooks: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}\n`,
    );
    process.exit(1);
  });
}
