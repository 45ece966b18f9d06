import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for a Temporal frontend that refuses every call with gRPC UNAUTHENTICATED (a trailers-only reply), as a
 * real server does for a wrong API key or client certificate. Nothing here can authenticate for real.
 */
export async function startRefusingTemporal(): Promise<{ address: string; calls: string[]; close(): Promise<void> }> {
  const calls: string[] = [];
  const server = http2.createServer();
  server.on('stream', (stream, headers) => {
    calls.push(String(headers[':path']));
    stream.respond(
      {
        ':status': 200,
        'content-type': 'application/grpc',
        'grpc-status': '16',
        'grpc-message': 'Request unauthorized.',
      },
      { endStream: true },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    calls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
