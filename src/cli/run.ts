/** One CLI invocation: parse, validate before connecting, dispatch to the command (./commands), print, exit code. */
import type { Client } from '@temporalio/client';
import { connectClient } from '../client';
import { checkTaskQueue } from '../client/arguments';
import { clientSettingsFromEnv, type Env } from '../config';
import { COMMANDS, EXIT, journeyRef, parseInvocation, USAGE, UsageError, type Command } from './args';
import { COMMAND_RUNS, FLEET_COMMANDS, type CommandContext } from './commands';
import { errorExit } from './error-exits';

export interface CliDeps {
  /** An existing client (tests); otherwise one is connected from envconfig. */
  client?: Client;
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
  /** The environment's settings (main passes the process's; none when absent). */
  env?: Env;
  /** Progress polling interval for `result --wait` (default 1 s). */
  progressIntervalMs?: number;
}

interface Output {
  json: boolean;
  println: (text?: string) => void;
  eprintln: (text: string) => void;
}

/** The command named on the line, or a usage error. */
function commandOf(command: string | undefined): Command {
  if (!command) throw new UsageError('missing command');
  if (!(COMMANDS as readonly string[]).includes(command))
    throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  return command as Command;
}

/** Prints the error (stderr, or JSON on stdout) and returns its exit code. */
function reportError(e: unknown, o: Output): number {
  const { code, kind, message, extra } = errorExit(e);
  if (o.json) o.println(JSON.stringify({ error: { kind, message, ...extra } }, null, 2));
  else o.eprintln(`journey-await: ${message}`);
  if (kind === 'usage' && !o.json) o.eprintln(`run "journey-await --help" for usage`);
  return code;
}

/** Runs one CLI invocation and returns its exit code (never calls process.exit itself). */
export async function runCli(argv: string[], deps: CliDeps = {}): Promise<number> {
  const out = deps.stdout ?? ((t: string) => process.stdout.write(t));
  const err = deps.stderr ?? ((t: string) => process.stderr.write(t));
  const o: Output = {
    json: argv.includes('--json'),
    println: (t = '') => out(`${t}\n`),
    eprintln: (t) => err(`${t}\n`),
  };
  let client = deps.client;
  try {
    const { command: named, rest, values } = parseInvocation(argv);
    o.json = values.json ?? false;
    if (values.help || named === 'help') {
      o.println(USAGE);
      return EXIT.DONE;
    }
    const command = commandOf(named);
    const settings = clientSettingsFromEnv(deps.env ?? {});
    const taskQueue = values['task-queue'] ?? settings.taskQueue;
    checkTaskQueue(taskQueue);
    // Validate everything before connecting, so usage errors never wait on the network.
    const fleet = FLEET_COMMANDS.includes(command);
    if (fleet && rest.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(rest[0])}`);
    const context: CommandContext = {
      values,
      ref: fleet ? undefined : journeyRef(rest),
      taskQueue,
      json: o.json,
      progressIntervalMs: deps.progressIntervalMs ?? 1_000,
      connect: async () => (client ??= await connectClient(values.profile ? { profile: values.profile } : {})),
      emit: (data, lines) => (o.json ? o.println(JSON.stringify(data, null, 2)) : lines.forEach((l) => o.println(l))),
      eprintln: o.eprintln,
    };
    return await COMMAND_RUNS[command](context);
  } catch (e) {
    return reportError(e, o);
  } finally {
    if (!deps.client && client) await client.connection.close().catch(() => {});
  }
}
