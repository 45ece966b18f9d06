/**
 * Temporal codec server (https://docs.temporal.io/codec-server), on Fastify: POST /encode and /decode on
 * `{ payloads: [{ metadata: { k: base64 }, data: base64 }] }`, so the Web UI and CLI show decrypted history.
 *
 * Every request needs the token, either as `Authorization: Bearer <token>` (CLI, scripts) or as the first
 * path segment, `/<token>/decode` (the Web UI, which cannot add headers of its own: its codec endpoint is then
 * `http://host:port/<token>`). It is checked before the body is read. CORS answers the UI's preflight for the
 * configured origins.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { z } from 'zod';
import { bearerToken, headerValue } from '../headers';
import { sameSecret } from '../secrets';

export interface CodecServerOptions {
  codec: PayloadCodec;
  token: string;
  /** Origins allowed by CORS, e.g. the Web UI at `http://localhost:8233`. */
  allowedOrigins: string[];
  maxBodyBytes?: number;
}

const jsonPayloadSchema = z.object({
  metadata: z.record(z.string(), z.string()).nullish(),
  data: z.string().nullish(),
});
type JSONPayload = z.infer<typeof jsonPayloadSchema>;
const bodySchema = z.object({ payloads: z.array(jsonPayloadSchema) });

const toPayload = ({ metadata, data }: JSONPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: data ? Buffer.from(data, 'base64') : undefined,
});

const toJSONPayload = ({ metadata, data }: Payload): JSONPayload => ({
  metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: data ? Buffer.from(data).toString('base64') : undefined,
});

const ACTIONS = ['encode', 'decode'] as const;

export function createCodecServer({
  codec,
  token,
  allowedOrigins,
  maxBodyBytes = 16 * 1024 * 1024,
}: CodecServerOptions): FastifyInstance {
  if (!token) throw new Error('codec server needs a token');
  const app = Fastify({ logger: false, bodyLimit: maxBodyBytes });

  // Any content type is read as JSON with Fastify's own parser (the Web UI and the CLI differ in what they send).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));

  app.addHook('onRequest', async (req, reply) => {
    const origin = headerValue(req.headers, 'origin');
    if (origin && allowedOrigins.includes(origin)) {
      reply
        .header('access-control-allow-origin', origin)
        .header('access-control-allow-credentials', 'true')
        .header('vary', 'Origin');
    }
  });

  app.setErrorHandler((err: Error & { code?: string; statusCode?: number }, _req, reply) => {
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      return reply.code(413).send({ error: `body larger than ${maxBodyBytes} bytes` });
    if (err instanceof SyntaxError || (err.code?.startsWith('FST_ERR_CTP_') && err.statusCode === 400))
      return reply.code(400).send({ error: 'body is not JSON' });
    // Codec errors name key ids, never key material or payload content.
    return reply.code(err.statusCode && err.statusCode < 500 ? err.statusCode : 400).send({ error: err.message });
  });
  app.setNotFoundHandler((_req, reply) => reply.code(404).send({ error: 'POST /encode or /decode' }));

  app.options('*', async (_req, reply) =>
    reply
      .code(204)
      .header('access-control-allow-methods', 'POST, OPTIONS')
      .header('access-control-allow-headers', 'Content-Type, X-Namespace, Authorization')
      .header('access-control-max-age', '600')
      .send(),
  );

  const authorize = async (req: FastifyRequest<{ Params: { token?: string } }>, reply: FastifyReply) => {
    if (!sameSecret(bearerToken(req.headers) ?? req.params.token, token))
      return reply.code(401).send({ error: 'missing or wrong codec server token' });
  };

  for (const action of ACTIONS) {
    const handler = async (req: FastifyRequest, reply: FastifyReply) => {
      const body = bodySchema.safeParse(req.body);
      if (!body.success) return reply.code(400).send({ error: 'body must be { payloads: [...] }' });
      const payloads = body.data.payloads.map(toPayload);
      const result = action === 'encode' ? await codec.encode(payloads) : await codec.decode(payloads);
      return reply.code(200).send({ payloads: result.map(toJSONPayload) });
    };
    app.post(`/${action}`, { onRequest: authorize }, handler);
    app.post<{ Params: { token: string } }>(`/:token/${action}`, { onRequest: authorize }, handler);
  }
  return app;
}
