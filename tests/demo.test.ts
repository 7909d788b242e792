import { existsSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from './helpers/cli.js';
import { createPgDatabase, pgQuery } from './helpers/databases.js';
import { tempDir } from './helpers/tmp.js';

interface DemoDoc {
  home: string;
  configFile: string;
  runId: number;
  steps: Array<{ name: string; status: string; detail: string }>;
}

test('opsctl demo builds the workspace inside OPSCTL_HOME, runs every step, and touches nothing else', async () => {
  const cwd = tempDir();
  const home = join(cwd, 'ws');
  const decoy = await createPgDatabase('opsctl_decoy');
  try {
    // A production-looking environment and config in the cwd: the demo must ignore all of it.
    writeFileSync(
      join(cwd, 'opsctl.config.json'),
      JSON.stringify({ targets: { prod: { engine: 'postgres', url: decoy.url } } }),
    );
    const env = { OPSCTL_HOME: home, DATABASE_URL: decoy.url, OPSCTL_STATE_URL: decoy.url };
    const r = await runCli(['demo', '--json'], { cwd, env, timeoutMs: 300_000 });
    assert.is(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as DemoDoc;
    assert.is(doc.home, home);
    assert.ok(doc.steps.length >= 4);
    for (const step of doc.steps) assert.is(step.status, 'ok', `${step.name}: ${step.detail}`);
    const health = doc.steps.find((s) => s.name.startsWith('health'))!.detail;
    assert.match(health, /^service demo up: [\d.,]+\/s, errors .*%, p95 .*, orders [\d.]+\/minute, active users \d+/);
    assert.match(
      health,
      /target local \(PGlite\): 0 of \d+ connections, 0 running queries; PGlite is embedded: one connection/,
    );
    assert.ok(existsSync(join(home, 'state.db')));
    assert.ok(existsSync(join(home, 'warehouse.duckdb')));
    assert.ok(existsSync(join(home, 'pglite', 'local')));
    assert.ok(existsSync(join(home, 'opsctl.config.json')));
    assert.equal(readdirSync(cwd).sort(), ['opsctl.config.json', 'ws']);
    const tables = await pgQuery(
      decoy.url,
      "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')",
    );
    assert.equal(tables, [], 'the demo created nothing in the configured PostgreSQL');
    const schemas = await pgQuery(decoy.url, "SELECT nspname FROM pg_namespace WHERE nspname = 'opsctl'");
    assert.equal(schemas, []);

    // Run again: the workspace is reused, a second demo run is recorded.
    const again = await runCli(['demo', '--json'], { cwd, env, timeoutMs: 300_000 });
    assert.is(again.code, 0, again.stderr);
    // Steps record runs of their own (the sync step's runs, backup.create, backup.verify), so the next demo run is later, not necessarily next.
    assert.ok((JSON.parse(again.stdout) as DemoDoc).runId > doc.runId);

    // Afterwards the workspace is what opsctl finds from a folder without its own config.
    const elsewhere = tempDir();
    const status = await runCli(['status', '--json'], { cwd: elsewhere, env: { OPSCTL_HOME: home } });
    assert.is(status.code, 0, status.stderr);
    const st = JSON.parse(status.stdout) as {
      configFile: string;
      components: Array<{ name: string; group: string; status: string }>;
      items: Array<{ id: string; severity: string }>;
    };
    assert.is(st.configFile, join(home, 'opsctl.config.json'));
    assert.equal(
      st.components.filter((c) => c.group === 'target').map((t) => [t.name, t.status]),
      [['local', 'up']],
    );
    // The demo's service ran for the demo's duration: down now, a warning on the board (status still exits 0).
    assert.equal(
      st.items.filter((i) => i.id.includes('service:demo')).map((i) => [i.id, i.severity]),
      [['component:service:demo', 'warning']],
    );
  } finally {
    await decoy.drop();
  }
});

test('opsctl demo refuses to overwrite a config it did not write', async () => {
  const home = join(tempDir(), 'real');
  mkdirSync(home);
  writeFileSync(join(home, 'opsctl.config.json'), JSON.stringify({ environment: 'production' }));
  const r = await runCli(['demo'], { env: { OPSCTL_HOME: home } });
  assert.is(r.code, 2);
  assert.match(r.stderr, /exists and was not written by opsctl demo/);
  assert.match(r.stderr, /OPSCTL_HOME=/);
});

test.run();
