/** GBG's documented error bodies: `{"errors":[{code, name, location, problem, action}]}`; v1 also `{status, message, error}`. */
import { clip, isCodeLike } from '../util';

export function gbgErrorMessage(body: Record<string, unknown>, options: { readMessage: boolean }): string | undefined {
  if (Array.isArray(body.errors)) {
    const parts = body.errors.slice(0, 3).flatMap((e: unknown) => {
      if (typeof e !== 'object' || e === null) return [];
      const { code, name, problem } = e as Record<string, unknown>;
      const label = [code, name].filter((x): x is string => typeof x === 'string' && isCodeLike(x)).join(' ');
      const text = typeof problem === 'string' ? clip(problem) : '';
      return label || text ? [[label, text].filter(Boolean).join(': ')] : [];
    });
    if (parts.length > 0) return parts.join('; ');
  }
  if (options.readMessage && typeof body.message === 'string') return clip(body.message);
  // OAuth errors from the token endpoint: a short code such as `invalid_client`.
  return typeof body.error === 'string' && isCodeLike(body.error) ? body.error : undefined;
}
