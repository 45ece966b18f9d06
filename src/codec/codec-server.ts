/**
 * Temporal codec server (https://docs.temporal.io/codec-server): POST /encode and /decode on
 * `{ payloads: [{ metadata: { k: base64 }, data: base64 }] }`, so the Web UI and CLI show decrypted history.
 *
 * Every request needs the token, either as `Authorization: Bearer <token>` (CLI, scripts) or as the first
 * path segment, `/<token>/decode` (the Web UI, which cannot add headers of its own: its codec endpoint is then
 * `http://host:port/<token>`). CORS answers the UI's preflight for the configured origins.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { Payload, PayloadCodec } from '@temporalio/common';

export interface CodecServerOptions {
  codec: PayloadCodec;
  token: string;
  /** Origins allowed by CORS, e.g. the Web UI at `http://localhost:8233`. */
  allowedOrigins: string[];
  maxBodyBytes?: number;
}

interface JSONPayload {
  metadata?: Record<string, string> | null;
  data?: string | null;
}

const toPayload = ({ metadata, data }: JSONPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: data ? Buffer.from(data, 'base64') : undefined,
});

const toJSONPayload = ({ metadata, data }: Payload): JSONPayload => ({
  metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: data ? Buffer.from(data).toString('base64') : undefined,
});

function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

export function createCodecServer({ codec, token, allowedOrigins, maxBodyBytes = 16 * 1024 * 1024 }: CodecServerOptions): http.Server {
  if (!token) throw new Error('codec server needs a token');

  return http.createServer(async (req, res) => {
    const origin = req.headers.origin;
    if (origin && allowedOrigins.includes(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Vary', 'Origin');
    }
    const reply = (status: number, body?: unknown) => {
      res.writeHead(status, body === undefined ? {} : { 'Content-Type': 'application/json' });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };

    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', 'Content-Type, X-Namespace, Authorization');
      res.setHeader('Access-Control-Max-Age', '600');
      return reply(204);
    }

    const segments = (req.url ?? '/').split('?')[0]!.split('/').filter(Boolean);
    const action = segments.at(-1);
    const pathToken = segments.length === 2 ? segments[0] : undefined;
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const given = bearer ?? pathToken;
    if (req.method !== 'POST' || (action !== 'encode' && action !== 'decode') || segments.length > 2) {
      return reply(404, { error: 'POST /encode or /decode' });
    }
    if (!given || !sameSecret(given, token)) return reply(401, { error: 'missing or wrong codec server token' });

    try {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size > maxBodyBytes) return reply(413, { error: `body larger than ${maxBodyBytes} bytes` });
        chunks.push(chunk as Buffer);
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { payloads?: JSONPayload[] };
      if (!Array.isArray(body.payloads)) return reply(400, { error: "body must be { payloads: [...] }" });
      const payloads = body.payloads.map(toPayload);
      const result = action === 'encode' ? await codec.encode(payloads) : await codec.decode(payloads);
      return reply(200, { payloads: result.map(toJSONPayload) });
    } catch (err) {
      // Codec errors name key ids, never key material or payload content.
      return reply(400, { error: err instanceof SyntaxError ? 'body is not JSON' : (err as Error).message });
    }
  });
}
