/**
 * The webhook receiver's one error shape, `{ error, message }`, for the app's own errors, Fastify's framework
 * errors (bad URL, 414 over-long path parameter) and Node's client errors (request timeout, header overflow,
 * malformed HTTP). Messages are fixed texts: nothing of the request (path, headers, body) is echoed back.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ErrorBody {
  error: string;
  message: string;
}

const FRAMEWORK_ERRORS: Record<string, { status: number; body: ErrorBody }> = {
  FST_ERR_MAX_PARAM_LENGTH: {
    status: 414,
    body: { error: 'uri_too_long', message: 'a path segment is too long (journey ids are at most 64 characters)' },
  },
  FST_ERR_BAD_URL: { status: 400, body: { error: 'bad_url', message: 'the URL is malformed' } },
};

/** Fastify's `frameworkErrors`: errors raised before routing, answered in the app's shape. */
export function frameworkErrorReply(
  err: Error & { code?: string },
  _req: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const known = FRAMEWORK_ERRORS[err.code ?? ''];
  if (known) return reply.code(known.status).send(known.body);
  return reply.code(400).send({ error: 'bad_request', message: 'the request could not be read' });
}

function clientErrorReply(code: string | undefined): { status: number; body: ErrorBody } {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return { status: 408, body: { error: 'request_timeout', message: 'the request was not received in time' } };
  if (code === 'HPE_HEADER_OVERFLOW')
    return { status: 431, body: { error: 'headers_too_large', message: 'the request headers are too large' } };
  return { status: 400, body: { error: 'bad_request', message: 'the request could not be read' } };
}

/**
 * Node's `clientError` (before or outside a Fastify request): write the JSON reply if the socket still takes it,
 * then close the connection, so a slow or broken client never keeps it.
 */
export function handleClientError(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) {
    const { status, body } = clientErrorReply(err.code);
    const text = JSON.stringify(body);
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
    );
  }
  socket.destroy();
}
