/**
 * A TCP relay in front of a server, on a port the test holds for its whole life (`listen(0)` in this process):
 * nothing else can take that port, unlike a server's own port once the server has gone away.
 */
import net from 'node:net';

export interface TcpRelay {
  port: number;
  /** `127.0.0.1:<port>`, for a client's address setting. */
  address: string;
  /** When each client-side connection closed (`Date.now()`), in order. */
  closedAt: number[];
  /** Drops every connection, as a server going away does; later connections are accepted and never answered. */
  silence(): void;
  close(): Promise<void>;
}

export function startTcpRelay(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpRelay> {
  const closedAt: number[] = [];
  const sockets = new Set<net.Socket>();
  let silent = false;
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('close', () => {
      closedAt.push(Date.now());
      sockets.delete(client);
    });
    client.on('error', () => client.destroy());
    if (silent) return;
    const upstream = net.connect(targetPort, targetHost);
    sockets.add(upstream);
    client.pipe(upstream).pipe(client);
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => {
      sockets.delete(upstream);
      client.destroy();
    });
    client.on('close', () => upstream.destroy());
  });
  const dropAll = () => {
    for (const socket of sockets) socket.destroy();
  };
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      resolve({
        port,
        address: `127.0.0.1:${port}`,
        closedAt,
        silence() {
          silent = true;
          dropAll();
        },
        close: () =>
          new Promise<void>((done) => {
            dropAll();
            server.close(() => done());
          }),
      });
    });
  });
}
