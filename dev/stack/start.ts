/**
 * `npm start`: the whole stack on this machine (see local-stack.ts). Ctrl-C stops everything.
 * With TEMPORAL_ADDRESS set it uses that cluster; with provider credentials set it talks to the real provider.
 */
import { startLocalStack, type LocalStack } from './local-stack';

export function describeStack(stack: LocalStack): string {
  const rows: [string, string][] = [
    ['Temporal', `${stack.temporalAddress} (namespace ${stack.namespace}, task queue ${stack.taskQueue})`],
    ['Web UI', stack.uiUrl ?? '(your cluster’s UI)'],
    ['Webhooks', ['gbg-go-v2', 'gbg-go-v1', 'idnow'].map((p) => `${stack.webhookUrl}/webhooks/${p}`).join('\n')],
    ['Simulator', stack.simulatorUrl ? `${stack.simulatorUrl} (standing in for ${stack.simulatedProviders.join(', ')})` : 'off (all providers configured)'],
    ['Codec server', `${stack.codecUrl} (payloads are encrypted; the UI decodes through it)`],
    ['Metrics', stack.metricsUrl ?? 'off'],
    ['Logs', `${stack.logFiles.worker}\n${stack.logFiles.webhooks}`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => v.split('\n').map((line, i) => `  ${(i === 0 ? k : '').padEnd(width)}  ${line}`).join('\n')).join('\n');
}

async function main(): Promise<void> {
  const stack = await startLocalStack();
  console.log(`\njourney-await is running:\n${describeStack(stack)}\n\nTry: npm run demo     Stop: Ctrl-C\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    void stack.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err) => {
  console.error(`npm start failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
