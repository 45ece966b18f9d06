/**
 * The building blocks of every settings parser: the environment as a plain record, the result shape of a
 * per-feature parser (its value, or one line per problem), and a reader that collects those lines.
 * This folder is the only place that reads `process.env`.
 */
import ms, { type StringValue } from 'ms';
import { z } from 'zod';
import { ConfigError } from './errors';

export type Env = Record<string, string | undefined>;

/** The process environment; every settings function defaults to it. */
export function processEnv(): Env {
  return process.env;
}

/** What a per-feature parser returns: its settings, or one line per missing or malformed variable. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; issues: string[] };

/** Collects problems while a parser reads variables, so every problem is reported at once. */
export class EnvReader {
  readonly issues: string[] = [];
  constructor(readonly env: Env) {}

  /** The trimmed value; blank counts as unset. */
  text(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value ? value : undefined;
  }

  problem(line: string): void {
    this.issues.push(line);
  }

  /** The parsed value, the fallback when unset, or a `NAME: malformed (expected …)` problem. */
  parse<T>(name: string, schema: z.ZodType<T>, fallback: T, expected: string): T {
    const raw = this.text(name);
    if (raw === undefined) return fallback;
    const result = schema.safeParse(raw);
    if (result.success) return result.data;
    this.problem(`${name}: malformed (expected ${expected})`);
    return fallback;
  }

  /** Both or neither of a pair; a half-set pair is a problem naming the missing one. */
  pair(a: string, b: string): [string, string] | undefined {
    const va = this.text(a);
    const vb = this.text(b);
    if (va && vb) return [va, vb];
    if (va) this.problem(`${b}: missing (${a} is set)`);
    if (vb) this.problem(`${a}: missing (${b} is set)`);
    return undefined;
  }

  /** Takes another parser's value, keeping its problems with this reader's. */
  use<T>(parsed: Parsed<T>, fallback: T): T {
    if (parsed.ok) return parsed.value;
    this.issues.push(...parsed.issues);
    return fallback;
  }

  result<T>(value: T): Parsed<T> {
    return this.issues.length === 0 ? { ok: true, value } : { ok: false, issues: [...this.issues] };
  }
}

/** The value of a parser, or its problems as a ConfigError. */
export function orThrow<T>(parsed: Parsed<T>): T {
  if (!parsed.ok) throw new ConfigError(parsed.issues);
  return parsed.value;
}

/** `5000`, `5s`, `2m`, `1.5h` (read by the `ms` package, as the Temporal SDK does) → whole milliseconds in range. */
export function durationMs(min: number, max: number) {
  return z
    .string()
    .transform((text) => {
      try {
        return ms(text as StringValue);
      } catch {
        return Number.NaN; // longer than `ms` reads
      }
    })
    .pipe(z.number().int().min(min).max(max));
}

/** true/false, 1/0, yes/no, on/off, and `none` for off (zod's own reading of boolean strings). */
export const booleanText = z.stringbool({ falsy: ['false', '0', 'no', 'off', 'n', 'disabled', 'none'] });

export const port = z.coerce.number().int().min(0).max(65535);
export const positiveInt = z.coerce.number().int().min(1);
export const hostPort = z.string().regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/);
export const httpUrl = z.url({ protocol: /^https?$/ });
export const headerName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/);
