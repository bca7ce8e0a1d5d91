import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

// What every test server here shares: it listens on a free loopback port (nothing ever
// reaches the network), and closing it ends every connection at once, including ones a
// fault left hanging, so a test never waits on a socket it broke on purpose.

export interface LoopbackServer {
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  /** Runs `beforeClose` (timers, child processes), then closes the server and destroys every connection. */
  close(): Promise<void>;
}

export function listenOnLoopback(server: Server, beforeClose: () => void = () => {}): Promise<LoopbackServer> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const close = () =>
    new Promise<void>((resolveClose) => {
      beforeClose();
      server.close(() => resolveClose());
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
    });
  return new Promise<LoopbackServer>((resolveStart, rejectStart) => {
    server.once('error', rejectStart);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', rejectStart);
      const port = (server.address() as AddressInfo).port;
      resolveStart({ url: `http://127.0.0.1:${port}`, port, close });
    });
  });
}
