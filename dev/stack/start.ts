/**
 * `npm start [-- --webhook-port N …]`: the whole stack on this machine (see local-stack.ts), supervised: a crashed
 * worker, webhook receiver or Temporal server is restarted and reported; if one cannot be recovered the stack
 * stops and exits 1. Ctrl-C or SIGTERM (also during start-up, and to npm itself) stops every process it started.
 * A bad flag or a busy port exits 2.
 * With TEMPORAL_ADDRESS set it uses that cluster; with provider credentials set it talks to the real provider.
 */
import { PROVIDERS } from '../../src/contract/vocabulary';
import { startLocalStack, type LocalStack } from './local-stack';
import { watchParent } from './parent-watch';
import { PORT_SETTINGS, StackSettingError } from './ports';
import { stackOptionsFrom } from './stack-options';

export function describeStack(stack: LocalStack): string {
  const rows: [string, string][] = [
    ['Temporal', `${stack.temporalAddress} (namespace ${stack.namespace}, task queue ${stack.taskQueue})`],
    ['Web UI', stack.uiUrl ?? '(your cluster’s UI)'],
    ['Webhooks', PROVIDERS.map((p) => `${stack.webhookUrl}/webhooks/${p}`).join('\n')],
    [
      'Simulator',
      stack.simulatorUrl
        ? `${stack.simulatorUrl} (standing in for ${stack.simulatedProviders.join(', ')})`
        : 'off (all providers configured)',
    ],
    ['Codec server', `${stack.codecUrl} (payloads are encrypted; the UI decodes through it, loopback only)`],
    ['Metrics', `${stack.metricsUrl ?? 'off'} (worker)\n${stack.webhookMetricsUrl ?? 'off'} (webhook receiver)`],
    ...(stack.prometheusConfig
      ? ([
          ['Prometheus', `prometheus --config.file=${stack.prometheusConfig} (scrapes both, loads the alert rules)`],
        ] as [string, string][])
      : []),
    ['Logs', Object.values(stack.logFiles).join('\n')],
    [
      'Processes',
      Object.values(stack.services)
        .map((s) => `${s!.name} pid ${s!.pid}`)
        .join(', '),
    ],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows
    .map(([k, v]) =>
      v
        .split('\n')
        .map((line, i) => `  ${(i === 0 ? k : '').padEnd(width)}  ${line}`)
        .join('\n'),
    )
    .join('\n');
}

async function main(): Promise<void> {
  // Listening from the first moment: a Ctrl-C during start-up stops what has started instead of orphaning it.
  const interrupt = new AbortController();
  let stack: LocalStack | undefined;
  let stopping = false;
  const stop = (why: string, code: number) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${why}: stopping…`);
    if (!stack) return interrupt.abort(); // the start-up below stops what it started, then exits
    void stack.stop().then(() => process.exit(code));
  };
  process.on('SIGINT', () => stop('SIGINT', 0));
  process.on('SIGTERM', () => stop('SIGTERM', 0));
  watchParent(() => stop('the parent process (npm) exited', 0));
  try {
    stack = await startLocalStack({
      ...stackOptionsFrom(process.argv.slice(2), process.env),
      signal: interrupt.signal,
    });
  } catch (err) {
    if (interrupt.signal.aborted) process.exit(0);
    if (err instanceof StackSettingError) {
      console.error(`npm start: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  if (interrupt.signal.aborted) {
    await stack.stop();
    process.exit(0);
  }
  const ports = Object.values(PORT_SETTINGS)
    .map((s) => `${s.flag} (${s.env})`)
    .join(', ');
  console.log(
    `\njourney-await is running:\n${describeStack(stack)}\n\nTry: npm run demo     Stop: Ctrl-C     Ports: ${ports}\n`,
  );
  void stack.fatal.then((reason) => {
    console.error(`npm start: ${reason}`);
    stop('cannot recover', 1);
  });
}

main().catch((err) => {
  console.error(`npm start failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
