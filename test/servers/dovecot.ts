// Test harness: a real Dovecot (Debian's dovecot-imapd + dovecot-lmtpd) on 127.0.0.1, free
// ports, a temporary folder, passwd-file users and maildirs. Started in the foreground by the
// test itself; stop() takes ~3 s, so share one instance per test file.
// Self-contained (node built-ins and imapflow only) so that bench/ can load it too.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ImapFlow } from 'imapflow';

const run = promisify(execFile);

export interface DovecotUser {
  user: string;
  pass: string;
}

export interface Dovecot {
  host: string;
  imapPort: number;
  lmtpPort: number;
  dir: string;
  /** Adds a mailbox user (Dovecot re-reads the passwd file by itself). */
  addUser(user: string, pass?: string): Promise<DovecotUser>;
  /** `imap://user:pass@127.0.0.1:port/INBOX`. */
  imapUrl(user: string, folder?: string): string;
  /** IMAP APPEND into a user's folder; the server stamps INTERNALDATE unless `date` is given. */
  append(user: string, raw: string | Buffer, opts?: { folder?: string; date?: Date }): Promise<number | undefined>;
  /** APPENDs many messages over several connections, each with its own INTERNALDATE. */
  appendMany(user: string, messages: Iterable<{ raw: string | Buffer; date: Date }>, opts?: { folder?: string; connections?: number }): Promise<number>;
  /** Writes many messages straight into a maildir (for large inboxes), each with its date. */
  fillMaildir(user: string, messages: Iterable<{ raw: string | Buffer; date: Date }>, folder?: string): Promise<number>;
  /** INTERNALDATE of every message in a user's INBOX, by UID (ms), read straight from Dovecot. */
  internalDates(user: string): Promise<Map<number, number>>;
  /** Disconnects every IMAP session of a user (doveadm kick). */
  kick(user: string): Promise<void>;
  doveadm(...args: string[]): Promise<string>;
  log(): Promise<string>;
  stop(): Promise<void>;
}

export function dovecotBinary(): string | undefined {
  for (const p of ['/usr/sbin/dovecot', '/usr/local/sbin/dovecot']) if (existsSync(p)) return p;
  return undefined;
}

/** A port the kernel says is free right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

async function idsOf(name: string): Promise<{ uid: number; gid: number } | undefined> {
  try {
    const { stdout } = await run('id', ['-u', name]);
    const { stdout: g } = await run('id', ['-g', name]);
    return { uid: Number(stdout.trim()), gid: Number(g.trim()) };
  } catch {
    return undefined;
  }
}

function waitForPort(port: number, ms: number, proc: ChildProcess, logPath: string): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (proc.exitCode !== null) {
        void readFile(logPath, 'utf8')
          .catch(() => '')
          .then((log) => reject(new Error(`dovecot exited with ${proc.exitCode}:\n${log}`)));
        return;
      }
      import('node:net').then(({ connect }) => {
        const s = connect(port, '127.0.0.1');
        s.once('connect', () => {
          s.destroy();
          resolve();
        });
        s.once('error', () => {
          s.destroy();
          if (Date.now() > deadline) reject(new Error(`dovecot did not listen on ${port} within ${ms} ms`));
          else setTimeout(attempt, 25);
        });
      }, reject);
    };
    attempt();
  });
}

export interface DovecotOptions {
  users?: string[];
  /** Mailbox format: maildir (default; fillMaildir writes its files) or sdbox (Dovecot's own). */
  mailFormat?: 'maildir' | 'sdbox';
  /** Extra configuration appended to dovecot.conf (e.g. imap_capability without IDLE). */
  extraConfig?: string;
}

export async function startDovecot(opts: DovecotOptions = {}): Promise<Dovecot> {
  const bin = dovecotBinary();
  if (!bin) throw new Error('dovecot is not installed (apt-get install dovecot-imapd dovecot-lmtpd)');
  const dir = await mkdtemp(join(tmpdir(), 'rollcall-dovecot-'));
  await chmod(dir, 0o755);
  const root = process.getuid?.() === 0;
  const me = userInfo();
  const owner = root ? await idsOf('dovecot') : { uid: me.uid, gid: me.gid };
  if (!owner) throw new Error('running as root but there is no dovecot user (is dovecot-core installed?)');
  const groupName = root ? 'dovecot' : (await run('id', ['-gn'])).stdout.trim();
  for (const d of ['run', 'state', 'mail']) await mkdir(join(dir, d), { recursive: true });
  if (root) await chown(join(dir, 'mail'), owner.uid, owner.gid);
  const imapPort = await freePort();
  const lmtpPort = await freePort();
  const passwd = join(dir, 'passwd');
  const users = new Map<string, string>();
  let generation = 0;
  const writeUsers = async () => {
    const lines = [...users].map(([u, p]) => `${u}:{PLAIN}${p}:${owner.uid}:${owner.gid}::${join(dir, 'mail', u)}::`);
    await writeFile(passwd, lines.join('\n') + '\n');
    // Dovecot notices a changed passwd-file by its mtime in whole seconds: give each version its own.
    const stamp = new Date(Date.UTC(2020, 0, 1) + ++generation * 1000);
    await utimes(passwd, stamp, stamp);
  };
  for (const u of opts.users ?? []) users.set(u, `pw-${u.replace(/[^a-z0-9]/gi, '')}`);
  await writeUsers();
  const logPath = join(dir, 'dovecot.log');
  const conf = join(dir, 'dovecot.conf');
  await writeFile(
    conf,
    `
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${logPath}
info_log_path = ${logPath}
listen = 127.0.0.1
protocols = imap lmtp
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
first_valid_uid = ${Math.min(owner.uid, 1)}
first_valid_gid = 0
mail_location = ${opts.mailFormat === 'sdbox' ? 'sdbox:~/sdbox' : 'maildir:~/Maildir'}
# Only Dovecot writes these maildirs (fillMaildir syncs after writing): without this, every FETCH
# in a 20,000-file folder that changed in the last seconds re-reads the whole directory.
maildir_very_dirty_syncs = yes
${root ? 'default_login_user = dovenull\ndefault_internal_user = dovecot' : `default_login_user = ${me.username}\ndefault_internal_user = ${me.username}\ndefault_internal_group = ${groupName}`}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${passwd}
}
userdb {
  driver = passwd-file
  args = username_format=%u ${passwd}
}
namespace inbox {
  inbox = yes
  separator = /
  mailbox Junk {
    auto = subscribe
    special_use = \\Junk
  }
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${imapPort}
  }
  inet_listener imaps {
    port = 0
  }
${root ? '' : '  chroot =\n'}}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = ${lmtpPort}
  }
}
service anvil {
${root ? '' : '  chroot =\n'}}
service doveadm {
  unix_listener doveadm-server {
    mode = 0600
  }
}
${opts.extraConfig ?? ''}
`,
  );
  const proc = spawn(bin, ['-F', '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    await waitForPort(imapPort, 10_000, proc, logPath);
    await waitForPort(lmtpPort, 5_000, proc, logPath);
  } catch (e) {
    proc.kill('SIGKILL');
    throw new Error(`${(e as Error).message}\n${stderr}`);
  }

  const clients = new Map<string, ImapFlow>();
  const clientFor = async (user: string): Promise<ImapFlow> => {
    const existing = clients.get(user);
    if (existing?.usable) return existing;
    const c = new ImapFlow({ host: '127.0.0.1', port: imapPort, secure: false, auth: { user, pass: users.get(user) ?? '' }, logger: false, disableAutoIdle: true });
    c.on('error', () => {});
    await c.connect();
    clients.set(user, c);
    return c;
  };

  const doveadm = async (...args: string[]) => (await run('doveadm', ['-c', conf, ...args])).stdout;

  const server: Dovecot = {
    host: '127.0.0.1',
    imapPort,
    lmtpPort,
    dir,
    async addUser(user, pass = `pw-${user.replace(/[^a-z0-9]/gi, '')}`) {
      users.set(user, pass);
      await writeUsers();
      // Dovecot looks at the file at most once a second: wait until it knows the user.
      const deadline = Date.now() + 5_000;
      for (;;) {
        try {
          await doveadm('user', user);
          break;
        } catch (e) {
          if (Date.now() > deadline) throw e;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      return { user, pass };
    },
    imapUrl(user, folder = 'INBOX') {
      return `imap://${encodeURIComponent(user)}:${encodeURIComponent(users.get(user) ?? '')}@127.0.0.1:${imapPort}/${encodeURIComponent(folder)}`;
    },
    async append(user, raw, o = {}) {
      const c = await clientFor(user);
      const res = await c.append(o.folder ?? 'INBOX', typeof raw === 'string' ? Buffer.from(raw) : raw, [], o.date);
      return res ? res.uid : undefined;
    },
    async internalDates(user) {
      const c = new ImapFlow({ host: '127.0.0.1', port: imapPort, secure: false, auth: { user, pass: users.get(user) ?? '' }, logger: false });
      c.on('error', () => {});
      await c.connect();
      try {
        await c.mailboxOpen('INBOX', { readOnly: true });
        const out = new Map<number, number>();
        for await (const m of c.fetch('1:*', { uid: true, internalDate: true })) out.set(m.uid, new Date(m.internalDate!).getTime());
        return out;
      } finally {
        await c.logout();
      }
    },
    async appendMany(user, messages, o = {}) {
      const pass = users.get(user) ?? '';
      const conns = await Promise.all(
        Array.from({ length: o.connections ?? 8 }, async () => {
          const c = new ImapFlow({ host: '127.0.0.1', port: imapPort, secure: false, auth: { user, pass }, logger: false, disableAutoIdle: true });
          c.on('error', () => {});
          await c.connect();
          return c;
        }),
      );
      const it = messages[Symbol.iterator]();
      let n = 0;
      await Promise.all(
        conns.map(async (c) => {
          for (let next = it.next(); !next.done; next = it.next()) {
            const m = next.value;
            await c.append(o.folder ?? 'INBOX', typeof m.raw === 'string' ? Buffer.from(m.raw) : m.raw, ['\\Seen'], m.date);
            n++;
          }
          await c.logout();
        }),
      );
      return n;
    },
    async fillMaildir(user, messages, folder = 'INBOX') {
      if (opts.mailFormat === 'sdbox') throw new Error('fillMaildir needs the maildir format; use appendMany');
      // Dovecot creates the maildir on first login; then files dropped in cur/ are new mail.
      await (await clientFor(user)).status(folder, { messages: true });
      const base = join(dir, 'mail', user, 'Maildir', folder === 'INBOX' ? '' : `.${folder}`, 'cur');
      await mkdir(base, { recursive: true });
      let n = 0;
      let batch: Array<Promise<void>> = [];
      for (const m of messages) {
        const data = typeof m.raw === 'string' ? Buffer.from(m.raw) : m.raw;
        const file = join(base, `${Math.floor(m.date.getTime() / 1000)}.M${n}P${process.pid}.rollcall,S=${data.length}:2,S`);
        batch.push(writeFile(file, data).then(() => utimes(file, m.date, m.date)));
        n++;
        if (batch.length >= 256) {
          await Promise.all(batch);
          batch = [];
        }
      }
      await Promise.all(batch);
      if (root) await run('chown', ['-R', `${owner.uid}:${owner.gid}`, join(dir, 'mail', user)]);
      return n;
    },
    async kick(user) {
      await doveadm('kick', user);
    },
    doveadm,
    log: () => readFile(logPath, 'utf8').catch(() => ''),
    async stop() {
      for (const c of clients.values()) {
        try {
          await c.logout();
        } catch {
          c.close();
        }
      }
      clients.clear();
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 8_000))]);
        if (proc.exitCode === null) proc.kill('SIGKILL');
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
  return server;
}
