// Test harness: a DNS server on 127.0.0.1 (UDP and TCP on one port) answering the TXT and A
// records the test gives it — DKIM keys, SPF and DMARC of reserved test domains — so that the
// built CLI can be pointed at it with ROLLCALL_DNS_SERVERS. Unknown names get NXDOMAIN; a known
// name without the asked type gets an empty answer (NODATA). Only what rollcall asks is spoken.
import { createSocket } from 'node:dgram';
import { createServer, type AddressInfo, type Socket } from 'node:net';

const TYPES: Record<number, string> = { 1: 'A', 16: 'TXT', 15: 'MX', 28: 'AAAA', 12: 'PTR' };

export interface DnsHarness {
  port: number;
  /** `127.0.0.1:<port>`, for ROLLCALL_DNS_SERVERS. */
  server: string;
  txt(name: string, ...values: string[]): void;
  a(name: string, ...ips: string[]): void;
  /** `TXT name` of every question asked, in order. */
  queries: string[];
  stop(): Promise<void>;
}

interface Question {
  id: number;
  flags: number;
  name: string;
  type: number;
  /** The question section as received, echoed in the answer. */
  raw: Buffer;
  /** EDNS UDP payload size, or 512 without EDNS. */
  udpSize: number;
}

function readName(buf: Buffer, at: number): { name: string; end: number } {
  const labels: string[] = [];
  let i = at;
  while (buf[i] !== 0) {
    const len = buf[i] as number;
    labels.push(buf.subarray(i + 1, i + 1 + len).toString('latin1'));
    i += 1 + len;
  }
  return { name: labels.join('.'), end: i + 1 };
}

function parseQuery(buf: Buffer): Question {
  const qd = readName(buf, 12);
  const type = buf.readUInt16BE(qd.end);
  const questionEnd = qd.end + 4;
  let udpSize = 512;
  // An OPT record in the additional section announces EDNS and its buffer size.
  if (buf.readUInt16BE(10) > 0 && buf[questionEnd] === 0 && buf.length >= questionEnd + 5 && buf.readUInt16BE(questionEnd + 1) === 41) {
    udpSize = Math.max(512, buf.readUInt16BE(questionEnd + 3));
  }
  return { id: buf.readUInt16BE(0), flags: buf.readUInt16BE(2), name: qd.name.toLowerCase(), type, raw: buf.subarray(12, questionEnd), udpSize };
}

function rdata(type: number, value: string): Buffer {
  if (type === 1) return Buffer.from(value.split('.').map(Number));
  // TXT: the value split into character-strings of at most 255 bytes.
  const bytes = Buffer.from(value, 'utf8');
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length || i === 0; i += 255) {
    const chunk = bytes.subarray(i, i + 255);
    parts.push(Buffer.from([chunk.length]), chunk);
  }
  return Buffer.concat(parts);
}

function answer(q: Question, records: Map<string, Map<number, string[]>>, truncateAt?: number): Buffer {
  const known = records.get(q.name);
  const values = known?.get(q.type) ?? [];
  const rcode = known ? 0 : 3;
  const answers = values.map((v) => {
    const data = rdata(q.type, v);
    const rr = Buffer.alloc(12);
    rr.writeUInt16BE(0xc00c, 0); // the name of the question
    rr.writeUInt16BE(q.type, 2);
    rr.writeUInt16BE(1, 4);
    rr.writeUInt32BE(60, 6);
    rr.writeUInt16BE(data.length, 10);
    return Buffer.concat([rr, data]);
  });
  const head = Buffer.alloc(12);
  head.writeUInt16BE(q.id, 0);
  // QR, the query's opcode and RD, AA, RA, and the rcode.
  head.writeUInt16BE(0x8000 | (q.flags & 0x7900) | 0x0400 | 0x0080 | rcode, 2);
  head.writeUInt16BE(1, 4);
  head.writeUInt16BE(answers.length, 6);
  const full = Buffer.concat([head, q.raw, ...answers]);
  if (truncateAt === undefined || full.length <= truncateAt) return full;
  // Too big for UDP: the TC bit tells the client to ask again over TCP.
  head.writeUInt16BE(0, 6);
  head.writeUInt16BE(head.readUInt16BE(2) | 0x0200, 2);
  return Buffer.concat([head, q.raw]);
}

export async function startDns(): Promise<DnsHarness> {
  const records = new Map<string, Map<number, string[]>>();
  const queries: string[] = [];
  const add = (name: string, type: number, values: string[]) => {
    const n = name.toLowerCase().replace(/\.$/, '');
    const byType = records.get(n) ?? new Map<number, string[]>();
    byType.set(type, [...(byType.get(type) ?? []), ...values]);
    records.set(n, byType);
  };
  const ask = (buf: Buffer): Question | undefined => {
    try {
      const q = parseQuery(buf);
      queries.push(`${TYPES[q.type] ?? q.type} ${q.name}`);
      return q;
    } catch {
      return undefined;
    }
  };

  let udp = createSocket('udp4');
  const onMessage = (msg: Buffer, rinfo: { port: number; address: string }) => {
    const q = ask(msg);
    if (q) udp.send(answer(q, records, q.udpSize), rinfo.port, rinfo.address);
  };
  udp.on('message', onMessage);
  const sockets = new Set<Socket>();
  const tcp = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        const q = ask(pending.subarray(2, 2 + pending.readUInt16BE(0)));
        pending = pending.subarray(2 + pending.readUInt16BE(0));
        if (!q) continue;
        const out = answer(q, records);
        const len = Buffer.alloc(2);
        len.writeUInt16BE(out.length, 0);
        socket.write(Buffer.concat([len, out]));
      }
    });
  });
  // UDP and TCP on one port: the port the system gives UDP may be in use for TCP (another test's
  // connection), then another one is tried.
  let port = 0;
  for (let tries = 0; ; tries++) {
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
    port = udp.address().port;
    const listening = await new Promise<boolean>((resolve, reject) => {
      const failed = (e: NodeJS.ErrnoException) => (e.code === 'EADDRINUSE' && tries < 20 ? resolve(false) : reject(e));
      tcp.once('error', failed);
      tcp.listen(port, '127.0.0.1', () => {
        tcp.off('error', failed);
        resolve(true);
      });
    });
    if (listening) break;
    await new Promise<void>((resolve) => udp.close(() => resolve()));
    udp = createSocket('udp4');
    udp.on('message', onMessage);
  }
  if ((tcp.address() as AddressInfo).port !== port) throw new Error('DNS harness: TCP port differs from UDP port');

  return {
    port,
    server: `127.0.0.1:${port}`,
    txt: (name, ...values) => add(name, 16, values),
    a: (name, ...ips) => add(name, 1, ips),
    queries,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
      await new Promise<void>((resolve) => udp.close(() => resolve()));
    },
  };
}
