/**
 * Temporal codec server (https://docs.temporal.io/codec-server), on Fastify: POST /encode and /decode on
 * `{ payloads: [{ metadata: { k: base64 }, data: base64 }] }`, so the Web UI and CLI show decrypted history.
 *
 * Every request is checked by the access mode (./access: an OIDC access token, a static bearer token, or a
 * loopback-only local stack) before its body is read; nothing secret is ever part of a URL. CORS answers the UI's
 * preflight for the configured origins.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { z } from 'zod';
import { headerValue } from '../headers';
import { createCodecAccess, type CodecAccessConfig } from './access';

export interface CodecServerOptions {
  codec: PayloadCodec;
  access: CodecAccessConfig;
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
  access,
  allowedOrigins,
  maxBodyBytes = 16 * 1024 * 1024,
}: CodecServerOptions): FastifyInstance {
  const allowed = createCodecAccess(access, allowedOrigins);
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

  const authorize = async (req: FastifyRequest, reply: FastifyReply) => {
    const refused = await allowed(req);
    if (refused !== undefined)
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send({ error: `unauthorized: ${refused}` });
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
  }
  return app;
}
