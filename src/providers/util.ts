/** Small pure helpers of the provider adapters. */

/** A blank setting is an unset one; values are trimmed. */
export function blankToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** One line of at most `max` characters, for provider-authored error text. */
export function clip(text: string, max = 200): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max)}…` : oneLine;
}

/** Drops `undefined` properties so normalised states compare and serialise cleanly. */
export function compact<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = v;
  return out as T;
}

/** `""` and `null` mean absent (GBG v1 `completedTime`, IDnow `startedAt`). */
export function present(value: string | null | undefined): string | undefined {
  return value === null || value === undefined || value === '' ? undefined : value;
}

/** Milliseconds between two ISO timestamps, when both parse and the order is sane. */
export function durationBetween(start: string | undefined, end: string | undefined): number | undefined {
  if (!start || !end) return undefined;
  const a = Date.parse(start);
  const b = Date.parse(end);
  return Number.isFinite(a) && Number.isFinite(b) && b >= a ? b - a : undefined;
}

/** An identifier-like value (error code, OAuth error, status): safe to repeat in a message, unlike free text. */
export function isCodeLike(value: string): boolean {
  return /^[A-Za-z0-9_.:-]{1,64}$/.test(value);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What every normaliser needs besides the body: the id asked for, and when the state was observed. */
export interface NormaliseContext {
  journeyId: string;
  /** ISO timestamp of the fetch. */
  observedAt: string;
  source?: 'poll' | 'webhook' | 'deadline';
}
