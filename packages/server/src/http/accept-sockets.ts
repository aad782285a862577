/**
 * More than one accept socket on the server's port (docs/operations.md#overload).
 *
 * Node's event loop takes one new connection per listening socket per turn (measured with strace on Node 20: one
 * `accept4` per `epoll_pwait`). A busy process — the embedded database runs in the server's thread — has turns of
 * tens of milliseconds, so a thousand clients connecting at once, or nginx opening connections beyond its keepalive
 * pool, waited seconds in the kernel's accept queue before the server saw their first request, while the requests
 * it had read were answered within 0.7 s (docs/benchmarks.md#overload). With SO_REUSEPORT the kernel spreads new
 * connections over several listening sockets on the same port, each taken from once per turn, and every connection
 * they accept is handed to the one HTTP server (`connection` event), so routing, the edge gate, keep-alive tracking
 * and shutdown treat them all alike.
 *
 * SO_REUSEPORT would also let a second process of the same user bind the port and silently take half the traffic.
 * Before binding with it, the port is bound once without it: if anything holds the port, startup fails with
 * EADDRINUSE exactly as with one socket.
 */
import type { Server } from 'node:http';
import net from 'node:net';

/** `reusePort` in `listen()`: Node 22.12+ / 23.1+ on Linux (elsewhere the option is missing or not honoured). */
export function reusePortSupported(version = process.versions.node, platform: string = process.platform): boolean {
  if (platform !== 'linux') return false;
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major >= 23 || (major === 22 && minor >= 12);
}

type ListenOpts = net.ListenOptions & { reusePort?: boolean };

function listen(server: net.Server, opts: ListenOpts): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

const close = (server: net.Server) => new Promise<void>((resolve) => server.close(() => resolve()));

/** Fail with EADDRINUSE if anything (with or without SO_REUSEPORT) holds host:port; port 0 always passes. */
export async function assertPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return;
  const probe = net.createServer();
  await listen(probe, { host, port, exclusive: true });
  await close(probe);
}

export interface AcceptSockets {
  /** Listening sockets besides the HTTP server's own. */
  extra: number;
  /**
   * Stop listening on the extra sockets, then wait (at most `timeoutMs`) until every connection they accepted has
   * answered its request in flight and closed — the HTTP server's `closeIdleConnections` closes each as it goes idle.
   * Call before closing the HTTP server: its `close` waits only for the connections its own socket accepted, so
   * without this a shutdown would end the process under requests still running on the others.
   */
  drain(timeoutMs?: number): Promise<void>;
}

/** Add `count - 1` listening sockets on the HTTP server's address (which must be bound with reusePort). */
export async function addAcceptSockets(server: Server, o: { count: number; backlog: number }): Promise<AcceptSockets> {
  const address = server.address();
  const extras: net.Server[] = [];
  /** The connections the extra sockets accepted and that are still open. */
  const open = new Set<net.Socket>();
  if (o.count > 1 && address && typeof address === 'object') {
    try {
      for (let i = 1; i < o.count; i++) {
        const s = net.createServer();
        s.on('connection', (socket) => {
          open.add(socket);
          socket.once('close', () => open.delete(socket));
          server.emit('connection', socket);
        });
        await listen(s, { host: address.address, port: address.port, backlog: o.backlog, reusePort: true });
        extras.push(s);
      }
    } catch (err) {
      for (const s of extras) s.close();
      throw err;
    }
  }
  return {
    extra: extras.length,
    drain: async (timeoutMs = 10_000) => {
      for (const s of extras.splice(0)) s.close();
      const until = Date.now() + timeoutMs;
      while (open.size > 0 && Date.now() < until) {
        server.closeIdleConnections();
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}
