// A stand-in for the tunnel (ngrok, cloudflared, a reverse proxy) between Twilio and the webhook
// server: forwards every request to the server, until it is broken, then answers 502 the way a
// tunnel whose other end is gone does.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export class TestTunnel {
  url = '';
  broken = false;
  /** Requests that came in, and how many were forwarded. */
  received = 0;
  forwarded = 0;
  private server?: Server;

  constructor(private readonly target: string) {}

  async start(): Promise<this> {
    const target = new URL(this.target);
    this.server = createServer((req, res) => {
      this.received++;
      if (this.broken) {
        req.resume();
        res.writeHead(502, { 'content-type': 'text/plain' }).end('tunnel offline: no agent connected\n');
        return;
      }
      this.forwarded++;
      const out = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      out.on('error', () => res.writeHead(502).end('tunnel: upstream unreachable\n'));
      req.pipe(out);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  break(): void {
    this.broken = true;
  }

  restore(): void {
    this.broken = false;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise((r) => this.server!.close(r));
  }
}

export function startTunnel(target: string): Promise<TestTunnel> {
  return new TestTunnel(target).start();
}
