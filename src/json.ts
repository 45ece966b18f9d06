/** JSON text from outside (provider responses, webhook bodies): parsed once here, each caller saying what bad JSON means. */

export type JsonParse = { ok: true; value: unknown } | { ok: false };

export function tryParseJson(text: string): JsonParse {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/** The parsed value, or the caller's own error (`invalid()`) when the text is not JSON. */
export function parseJsonOrThrow(text: string, invalid: () => Error): unknown {
  const parsed = tryParseJson(text);
  if (!parsed.ok) throw invalid();
  return parsed.value;
}
