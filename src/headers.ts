/** Reading HTTP headers as Node and undici give them (lower-case names; repeated headers as arrays). */

export type HeaderRecord = Record<string, string | string[] | undefined>;

/** The header's value (the first, when repeated); names are matched case-insensitively. */
export function headerValue(headers: HeaderRecord, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** The token of an `Authorization: Bearer <token>` header. */
export function bearerToken(headers: HeaderRecord): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(headerValue(headers, 'authorization') ?? '')?.[1];
}
