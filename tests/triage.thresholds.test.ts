import pg from 'pg';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { run } from '../commands/catalog.js';
import { createRuntime } from '../commands/runtime.js';
import { loadConfig } from '../src/config/load.js';
import { serviceMemory } from '../src/health/services/probe.js';
import { silentLogger } from '../src/log/logger.js';
import { FakeService } from './fakes/service.js';
import { createPgDatabase } from './helpers/databases.js';
import { tempDir } from './helpers/tmp.js';

test('the triage board lists a slow service, a target past its connection limit and a service down, each with the opsctl health command', async () => {
  const slow = await new FakeService().start();
  const gone = await new FakeService().start();
  await gone.stop();
  const db = await createPgDatabase('opsctl_triageth');
  const holders: pg.Client[] = [];
  const home = tempDir('opsctl-triageth-');
  const loaded = loadConfig({
    isolated: true,
    cwd: home,
    fileConfig: {
      home,
      targets: { app: { engine: 'postgres', url: db.url } },
      health: { connections: { max: 1 } },
      services: {
        shop: {
          health: [`${slow.url}/health`],
          metrics: { url: `${slow.url}/metrics`, window: '200ms' },
          interval: '5s',
        },
        billing: { health: [`${gone.url}/health`], timeout: '500ms' },
      },
    },
  });
  const rt = createRuntime({ loaded, log: silentLogger, trigger: 'cli' });
  try {
    // Two sessions besides the probe's own: past health.connections.max (1) whoever else uses the server.
    for (let i = 0; i < 2; i++) {
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      holders.push(c);
    }
    serviceMemory.clear();
    // Slow requests land between the one-off round's two scrapes.
    slow.afterScrape = (n) => {
      if (n === 1) slow.record(50, 3);
    };
    const triage = await run('status.triage', rt, {});
    const byId = new Map(triage.items.map((i) => [i.id, i]));
    const ids = triage.items.map((i) => i.id).filter((id) => /service:|target:/.test(id));
    assert.equal(ids, [
      'component:service:billing',
      'threshold:target:app:connections',
      'threshold:service:shop:p95',
      'threshold:service:shop:p99',
    ]);
    assert.is(byId.get('component:service:billing')!.severity, 'critical');
    assert.is(byId.get('component:service:billing')!.command, 'opsctl health --service billing');
    const p95 = byId.get('threshold:service:shop:p95')!;
    assert.equal([p95.severity, p95.kind, p95.subject], ['warning', 'threshold', 'service:shop']);
    assert.match(p95.title, /^service shop: p95 .* ms > 2000 ms$/);
    assert.is(p95.command, 'opsctl health --service shop');
    const conn = byId.get('threshold:target:app:connections')!;
    assert.match(conn.title, /^target app: connections \d+ of \d+ in use > 1$/);
    assert.is(conn.command, 'opsctl health --target app');
    assert.ok(triage.sources.find((s) => s.name === 'thresholds')?.ok);
  } finally {
    await Promise.all(holders.map((c) => c.end()));
    await rt.close();
    await slow.stop();
    await db.drop();
  }
});

test.run();
