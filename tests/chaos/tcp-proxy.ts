import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP proxy between the module processes and the broker, so the chaos runner can cut the network
 * without touching the broker: `cut()` resets every open connection and refuses new ones (accepted,
 * then reset at once) until `restore()`. The processes only know the proxy's port.
 */
export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private server: Server | null = null;
  private isCut = false;
  /** Connections accepted and passed through (the processes' reconnects show up here). */
  connections = 0;
  /** Connections refused while cut. */
  refused = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  /** Listens on a free loopback port and resolves with it. */
  async start(): Promise<number> {
    const server = createServer((client) => this.accept(client));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return (server.address() as AddressInfo).port;
  }

  get cutOff(): boolean {
    return this.isCut;
  }

  /** Drops every connection through the proxy and refuses new ones until restore(). */
  cut(): void {
    this.isCut = true;
    for (const s of this.sockets) s.resetAndDestroy();
    this.sockets.clear();
  }

  restore(): void {
    this.isCut = false;
  }

  async close(): Promise<void> {
    this.cut();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    if (this.isCut) {
      this.refused++;
      client.on('error', () => undefined);
      client.resetAndDestroy();
      return;
    }
    this.connections++;
    const upstream = connect(this.targetPort, this.targetHost);
    const pair = [client, upstream];
    for (const s of pair) {
      this.sockets.add(s);
      s.setNoDelay(true);
      // Either side failing ends both: a half-open pair would look like a network that is still up.
      s.on('error', () => undefined);
      s.on('close', () => {
        this.sockets.delete(s);
        for (const other of pair) if (other !== s && !other.destroyed) other.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
