/** The one error type for bad settings, whichever process or feature they belong to. */

/** A configuration problem: `problems` holds one line per missing or malformed variable (names, never values). */
export class ConfigError extends Error {
  override readonly name: string = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

/** `invalid configuration:` and one indented line per problem: what the processes print before exiting 2. */
export function configErrorReport(err: ConfigError): string {
  return `invalid configuration:\n${err.problems.map((p) => `  ${p}`).join('\n')}`;
}
