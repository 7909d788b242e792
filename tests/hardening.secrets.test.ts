import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { pgConnection } from '../src/backups/tools.js';
import { loadConfig } from '../src/config/load.js';
import { redactConfig, registerSecrets } from '../src/config/secrets.js';
import { Redactor, redactSecrets, redactUrl, redactUrlPasswords } from '../src/log/redact.js';
import { runCli } from './helpers/cli.js';
import { createPgDatabase, type TempDatabase } from './helpers/databases.js';
import { tempDir } from './helpers/tmp.js';

const SECRET = 'S3cretQueryPw';
const SSL_SECRET = 'Ssl-Key-Passphrase';
let db: TempDatabase;

test.before(async () => {
  db = await createPgDatabase('opsctl_hard');
});
test.after(async () => {
  await db.drop().catch(() => undefined);
});

/** A fake pg_dump first on PATH: logs its argv (what `ps` shows) and its credential variables, then runs the real one. */
function fakeTools(dir: string): { path: string; log: string } {
  const log = join(dir, 'argv.log');
  const bin = join(dir, 'bin');
  const real = '/usr/bin/pg_dump';
  const script = `#!/bin/sh\nprintf 'argv:%s\\n' "$*" >> ${log}\nprintf 'env:%s\\n' "$PGPASSWORD" >> ${log}\nexec ${real} "$@"\n`;
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'pg_dump'), script);
  chmodSync(join(bin, 'pg_dump'), 0o755);
  return { path: `${bin}:${process.env.PATH ?? ''}`, log };
}
test('URL credentials are masked: userinfo, ?password=, ?sslpassword=; sslkey paths and the rest stay', () => {
  const url = `postgres://app:pw0rd1@db.example:5432/app?sslmode=require&sslkey=/etc/k.pem&password=${SECRET}&sslpassword=${SSL_SECRET}`;
  const shown = redactUrl(url);
  assert.not.match(shown, SECRET);
  assert.not.match(shown, SSL_SECRET);
  assert.not.match(shown, 'pw0rd1');
  assert.match(shown, 'app:***@db.example:5432/app');
  assert.match(shown, 'sslkey=%2Fetc%2Fk.pem');
  const text = redactUrlPasswords(`could not reach mysql://root@h:3306/db?password=${SECRET}&ssl=true (ECONNREFUSED)`);
  assert.is(text, 'could not reach mysql://root@h:3306/db?password=***&ssl=true (ECONNREFUSED)');
});

test('the secret paths of the schema: config show masks load-test header secrets and other listed fields', () => {
  const dir = tempDir('opsctl-hard-secrets-');
  const file = {
    home: join(dir, 'home'),
    loadtest: {
      profiles: {
        api: {
          url: 'http://127.0.0.1:9/x',
          headers: {
            Authorization: 'Bearer tok-abcdef',
            Cookie: 'sid=cookie-value-1',
            'X-Api-Key': 'api-key-value-1',
            'X-Session-Token': 'sess-token-val',
            Accept: 'application/json',
          },
        },
      },
    },
  };
  const loaded = loadConfig({ cwd: dir, env: {}, redactor: new Redactor(), fileConfig: file });
  const shown = JSON.stringify(redactConfig(loaded.config));
  for (const secret of ['tok-abcdef', 'cookie-value-1', 'api-key-value-1', 'sess-token-val'])
    assert.not.match(shown, secret);
  assert.match(shown, '"Accept":"application/json"');
  const masked = redactSecrets({ a: { b: 'plain', c: 'x' } }, ['a.c']);
  assert.equal(masked, { a: { b: 'plain', c: '***' } });
  const r = new Redactor();
  registerSecrets(r, loaded.config, {});
  assert.is(r.redact('sent Bearer tok-abcdef and api-key-value-1'), 'sent *** and ***');
});

test('pg tools get no credential on argv: password in PGPASSWORD, sslpassword in a 0600 service file', () => {
  const conn = pgConnection(
    `postgres://app:pw0rd1@h:5432/app?sslmode=require&password=${SECRET}&sslpassword=${SSL_SECRET}`,
  );
  try {
    assert.not.match(conn.args.join(' '), SECRET);
    assert.not.match(conn.args.join(' '), SSL_SECRET);
    assert.not.match(conn.args.join(' '), 'pw0rd1');
    assert.match(conn.args.join(' '), 'sslmode=require');
    assert.is(conn.env.PGPASSWORD, 'pw0rd1');
    const service = conn.env.PGSERVICEFILE!;
    assert.is((statSync(service).mode & 0o777).toString(8), '600');
    assert.match(readFileSync(service, 'utf8'), `sslpassword=${SSL_SECRET}`);
  } finally {
    conn.dispose();
  }
});

test('a password in a target URL query string: not in status, config show, --json, errors or pg_dump argv', async () => {
  const dir = tempDir('opsctl-hard-secrets-');
  const url = `${db.url}?password=${SECRET}`;
  const gone = `postgres://postgres@127.0.0.1:1/none?password=${SECRET}`;
  writeFileSync(
    join(dir, 'opsctl.config.json'),
    JSON.stringify({
      home: join(dir, 'home'),
      backups: { dir: join(dir, 'backups') },
      targets: { app: { engine: 'postgres', url }, gone: { engine: 'postgres', url: gone } },
    }),
  );
  const tools = fakeTools(dir);
  const env = { PATH: tools.path };
  const outputs: string[] = [];
  for (const args of [['status'], ['status', '--json'], ['config', 'show'], ['config', 'show', '--json']]) {
    const r = await runCli(args, { cwd: dir, env });
    outputs.push(r.stdout + r.stderr);
  }
  const backup = await runCli(['backup', 'create', 'app'], { cwd: dir, env });
  assert.is(backup.code, 0, backup.stdout + backup.stderr);
  const failed = await runCli(['backup', 'create', 'gone'], { cwd: dir, env });
  assert.is(failed.code, 1, failed.stdout + failed.stderr);
  outputs.push(backup.stdout + backup.stderr, failed.stdout + failed.stderr);
  for (const out of outputs) assert.not.match(out, SECRET);
  assert.match(outputs[2]!, 'password=***');

  const argv = readFileSync(tools.log, 'utf8');
  assert.match(argv, /argv:.*--dbname=postgres:\/\/postgres@127\.0\.0\.1/);
  assert.not.match(
    argv
      .split('\n')
      .filter((l) => l.startsWith('argv:'))
      .join('\n'),
    SECRET,
  );
  assert.match(argv, `env:${SECRET}`);
});

test.run();
