/** The UI suites each run the whole local stack: on free ports, and with none of the developer's app settings. */
import type { StackPorts } from '../../dev/stack/local-stack';
import { freePorts } from './free-ports';

export async function freeStackPorts(): Promise<StackPorts> {
  const [temporal, ui, webhooks, simulator, codec, metrics, webhookMetrics] = (await freePorts(7)) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return { temporal, ui, webhooks, simulator, codec, metrics, webhookMetrics };
}

/** Only the machine's environment, none of the developer's journey-await settings: simulator and embedded Temporal. */
export function machineEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(TEMPORAL|GBG|IDNOW|JOURNEY|WEBHOOK|METRICS|CODEC)_/.test(name)),
  );
}
