// Small helpers shared by the benchmarks: timing spawned commands and summarising samples.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';

export function timeCommand(cmd, args, opts = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Median of `n` runs of a command, after one warm-up run. */
export function medianTime(cmd, args, n = 15, opts = {}) {
  timeCommand(cmd, args, opts);
  return median(Array.from({ length: n }, () => timeCommand(cmd, args, opts)));
}

/** A reply log: by default 2,000 countries × 5 contact points (`contacts` contact points spread
 * over `countries` countries when given), rows interleaved (no two neighbours share a contact
 * point), timestamps in several offsets, every kind and unanswered pings. */
export function writeReplyLog(file, rows, { contacts = 10_000, countries = 2_000 } = {}) {
  const fd = openSync(file, 'w');
  const offsets = ['Z', '+02:00', '-05:00', '+05:30', '+09:00', '-03:00', '+01:00'];
  const kinds = ['', '', '', 'reply', 'reply', 'auto-reply', 'bounce', 'read-receipt'];
  const base = Date.UTC(2023, 5, 7, 8, 0, 0);
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const stamp = (ms, off) => {
    if (off === 'Z') return new Date(ms).toISOString().slice(0, 19) + 'Z';
    const sign = off[0] === '-' ? -1 : 1;
    const min = sign * (Number(off.slice(1, 3)) * 60 + Number(off.slice(4, 6)));
    return new Date(ms + min * 60000).toISOString().slice(0, 19) + off;
  };
  let buf = 'country,contact,channel,sent_at,replied_at,kind\n';
  for (let i = 0; i < rows; i++) {
    const contact = i % contacts;
    const country = contact % countries;
    const sent = base + Math.floor(rand() * 86400) * 1000;
    const answered = rand() < 0.9;
    const off = offsets[i % offsets.length];
    buf += `Country ${country},C${country}-${contact},${i % 11 === 0 ? 'sms' : 'email'},${stamp(sent, 'Z')},${answered ? stamp(sent + Math.floor(rand() * 100000) * 1000, off) : ''},${answered ? kinds[i % kinds.length] : ''}\n`;
    if (buf.length > 1 << 20) {
      writeSync(fd, buf);
      buf = '';
    }
  }
  writeSync(fd, buf);
  closeSync(fd);
}
