/**
 * The provider adapters' errors, in one place. ProviderResponseError: the typed error every normaliser throws for a body it cannot turn into a JourneyState: it names the field
 * (a dotted path) and the problem, never the body itself (bodies may hold PII).
 */
import type { z } from 'zod';
import type { JourneyProvider } from '../contract/vocabulary';

export class ProviderResponseError extends Error {
  override readonly name = 'ProviderResponseError';

  constructor(
    readonly provider: JourneyProvider,
    /** Dotted path of the offending field, `(root)` for the body itself. */
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${provider} response invalid at ${field}: ${problem}`);
  }
}

/** Printable, bounded rendering of a provider value for an error message (status strings, not bodies). */
export function quoteValue(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text);
}

export function pathOf(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(root)' : path.map((p) => String(p)).join('.');
}

/** The first zod issue as a ProviderResponseError. zod issue messages name types, not values. */
export function fromZodError(provider: JourneyProvider, error: z.ZodError): ProviderResponseError {
  const issue = error.issues[0];
  if (!issue) return new ProviderResponseError(provider, '(root)', 'does not match the schema');
  return new ProviderResponseError(provider, pathOf(issue.path), issue.message);
}

/** Parses with the schema or throws the typed error naming the first bad field. */
export function parseOrThrow<T extends z.ZodType>(provider: JourneyProvider, schema: T, body: unknown): z.infer<T> {
  const result = schema.safeParse(body);
  if (!result.success) throw fromZodError(provider, result.error);
  return result.data;
}

/** The first zod issue as `path: message` for a 400 reply (zod messages name types, not values). */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'invalid body';
}

/** Thrown for an input the provider could never accept (bad region/environment/id): a permanent error. */
export class InvalidFetchInputError extends Error {
  override readonly name = 'InvalidFetchInputError';
}

/** A webhook body that does not have the provider's shape: the receiver answers 400 with this message. */
export class WebhookBodyError extends Error {
  override readonly name = 'WebhookBodyError';
}
