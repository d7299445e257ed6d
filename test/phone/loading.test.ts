// Nothing of Twilio is loaded until a phone channel is used: the modules import the SDK only
// dynamically, the webhook server loads twilio's signature module alone, and the built modules
// prove it under a module-resolution trace.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/cli.js';

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
});
