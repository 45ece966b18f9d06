/**
 * What `npm start` and `npm run demo` (when it starts its own stack) read from their command line and the
 * environment: the ports (flags, then env vars), the data dir (STACK_DATA_DIR) and the supervision pace.
 */
import type { LocalStackOptions } from './local-stack';
import { stackPortsFrom } from './ports';
import { supervisionTimingsFrom } from './supervision-timings';

/** Throws StackSettingError (exit 2) on a bad flag or value. */
export function stackOptionsFrom(
  argv: string[],
  env: Record<string, string | undefined>,
): Pick<LocalStackOptions, 'ports' | 'timings' | 'dataDir'> {
  // STACK_DATA_DIR: a second stack (or a test) keeps its data and stack.json apart from the default one.
  const dataDir = env.STACK_DATA_DIR?.trim() || undefined;
  return {
    ports: stackPortsFrom(argv, env),
    timings: supervisionTimingsFrom(env),
    ...(dataDir ? { dataDir } : {}),
  };
}
