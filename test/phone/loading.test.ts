// Nothing of Twilio is loaded until a phone channel is used: the modules import the SDK only
// dynamically, the webhook server loads twilio's signature module alone, and the built modules
// prove it under a module-resolution trace; so does a whole e-mail-only `rollcall run` against
// the loopback mail servers.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { binPath, repoRoot } from '../support/cli.js';
import { startDovecot } from '../servers/dovecot.js';
import { startSmtp } from '../servers/smtp.js';

const tmp = mkdtempSync(join(tmpdir(), 'rollcall-phone-load-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('loading the phone channels', () => {
  it('imports twilio only dynamically in the sources', () => {
    for (const file of ['sms.ts', 'voice.ts', 'webhooks.ts', 'twilio-client.ts', 'phone-history.ts']) {
      const text = readFileSync(join(repoRoot, 'src/channels', file), 'utf8');
      expect(text, file).not.toMatch(/^import\s+(?!type\b)[^;]*from\s+['"]twilio/m);
      expect(text, file).not.toMatch(/require\(['"]twilio/);
    }
  });

  it('loads no twilio code on import, only the signature module for webhooks, the SDK on first use', () => {
    const dist = join(repoRoot, 'dist/channels/sms.js');
    expect(existsSync(dist), 'build first: npx tsc -p tsconfig.build.json').toBe(true);
    const trace = join(tmp, 'trace.txt');
    const hooks = fileURLToPath(new URL('../support/trace-imports.mjs', import.meta.url));
    const script = `
      import { appendFileSync } from 'node:fs';
      const mark = (m) => appendFileSync(process.env.TRACE_FILE, 'MARK ' + m + '\\n');
      await import('./dist/channels/sms.js');
      await import('./dist/channels/voice.js');
      const wh = await import('./dist/channels/webhooks.js');
      const tc = await import('./dist/channels/twilio-client.js');
      mark('imported');
      const srv = await wh.startWebhookServer({ publicUrl: 'https://hooks.rollcall.example', authToken: 'token' });
      await srv.close();
      mark('webhooks');
      await tc.loadTwilio();
      mark('sdk');
    `;
    const r = spawnSync(process.execPath, ['--import', hooks, '--input-type=module', '-e', script], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, TRACE_FILE: trace },
      timeout: 30_000,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const [imported, webhooks, sdk] = readFileSync(trace, 'utf8').split(/^MARK \w+$/m);
    expect(imported).toContain('/dist/channels/sms.js'); // the trace works
    expect(imported).not.toContain('/node_modules/twilio/');
    expect(webhooks).toContain('/node_modules/twilio/lib/webhooks/webhooks.js');
    expect(webhooks).not.toMatch(/\/node_modules\/twilio\/(index|lib\/index)\.js/);
    expect(sdk).toMatch(/\/node_modules\/twilio\/(lib\/)?index\.js/);
  });

  it('loads no twilio code in an e-mail-only `rollcall run`, from start to end', async (ctx) => {
    expect(existsSync(join(repoRoot, 'dist/cli/run.js')), 'build first: npx tsc -p tsconfig.build.json').toBe(true);
    const secretariat = 'secretariat@rollcall.test';
    const contacts = ['poc@police.fr.example', 'cyber@bka.de.example'];
    let dovecot;
    try {
      dovecot = await startDovecot({ users: [secretariat, ...contacts] });
    } catch (e) {
      if (process.env.CI === 'true') throw e;
      console.warn(`SKIPPING the e-mail-only run trace: Dovecot could not start here: ${(e as Error).message.split('\n')[0]}`);
      return ctx.skip();
    }
    const auth = { user: 'rollcall-sender', pass: 'Sm7p-pa55word' };
    const smtp = await startSmtp({ lmtp: { host: '127.0.0.1', port: dovecot.lmtpPort }, auth });
    try {
      // Numbers in the directory too: an e-mail run must not touch them, nor load what calls them.
      const directory = join(tmp, 'directory.yaml');
      writeFileSync(
        directory,
        [
          'network: 24/7 Test Network',
          'parties:',
          '  - { country: France, iso: FR, status: party, contacts: [{ id: FR-POL, unit: Cybercrime Unit, kind: police, emails: [poc@police.fr.example], phones: ["+33 1 99 00 01 10"], sms: ["+33 6 12 34 56 11"], timezone: Europe/Paris, languages: [fr, en] }] }',
          '  - { country: Germany, iso: DE, status: party, contacts: [{ id: DE-POL, unit: Cybercrime Unit, kind: police, emails: [cyber@bka.de.example], phones: ["+49 30 23125010"], sms: ["+49 1512 3456711"], timezone: Europe/Berlin, languages: [de, en] }] }',
          '',
        ].join('\n'),
      );
      const trace = join(tmp, 'email-run-trace.txt');
      const hooks = fileURLToPath(new URL('../support/trace-imports.mjs', import.meta.url));
      const args = ['--import', hooks, binPath, 'run', '--directory', directory, '--window', '3s', '--buckets', '1s,3s', '--runs-dir', join(tmp, 'runs'), '--yes', '--json'];
      // Twilio settings present (and a public URL): still nothing of Twilio without a phone channel.
      const env = {
        ...process.env,
        NO_COLOR: '1',
        TRACE_FILE: trace,
        ROLLCALL_SMTP_URL: smtp.url(auth),
        ROLLCALL_IMAP_URL: dovecot.imapUrl(secretariat),
        ROLLCALL_FROM: `24/7 Network Secretariat <${secretariat}>`,
        TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
        TWILIO_AUTH_TOKEN: 'not-used',
        ROLLCALL_TWILIO_FROM: '+12025550100',
      };
      // Spawned without blocking: the SMTP server lives in this process.
      const child = spawn(process.execPath, [...args, '--public-url', 'https://hooks.rollcall.example'], { cwd: repoRoot, env });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
      expect(code, stderr).toBe(0);
      // Both pings went out through the real SMTP server.
      expect(smtp.received.filter((d) => d.from === secretariat).flatMap((d) => d.to).sort()).toEqual([...contacts].sort());
      const loaded = readFileSync(trace, 'utf8');
      // The trace works, and the mail libraries were really used.
      expect(loaded).toContain('/dist/cli/run.js');
      expect(loaded).toContain('/dist/channels/email.js');
      expect(loaded).toContain('/node_modules/nodemailer/');
      expect(loaded).toContain('/node_modules/imapflow/');
      expect(loaded).not.toContain('/node_modules/twilio/');
      // (webhooks.js may be loaded to check --public-url: it holds no Twilio code until a server starts.)
      for (const m of ['sms.js', 'voice.js', 'twilio-client.js', 'phone-history.js']) expect(loaded, m).not.toContain(`/dist/channels/${m}`);
    } finally {
      await smtp.stop();
      await dovecot.stop();
    }
  }, 60_000);
});
