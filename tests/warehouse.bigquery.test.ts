import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfig } from '../src/config/load.js';
import { configSchema } from '../src/config/schema.js';
import { createLogger, type LogRecord } from '../src/log/logger.js';
import { Redactor } from '../src/log/redact.js';
import { setTraceLog } from '../src/log/trace.js';
import { SPOTIFY_TABLES } from '../src/spotify/tables.js';
import { openBigqueryWarehouse } from '../src/warehouse/bigquery.js';
import type { Row } from '../src/warehouse/warehouse.js';
import { tempDir } from './helpers/tmp.js';
import {
  startBigqueryFake,
  type BigqueryFake,
  type BigqueryFakeOptions,
  type RecordedRequest,
} from './fakes/bigquery.js';

const PROJECT = 'acme-data';
const GIB = 1024 ** 3;

async function setup(options: BigqueryFakeOptions = {}, extra: Record<string, unknown> = {}) {
  const fake = await startBigqueryFake(options);
  const config = configSchema.parse({
    warehouse: {
      kind: 'bigquery',
      bigquery: {
        projectId: PROJECT,
        location: 'EU',
        apiEndpoint: fake.url,
        accessToken: 'token-for-the-fake',
        labels: { team: 'data' },
        ...extra,
      },
    },
  });
  const wh = await openBigqueryWarehouse(config.warehouse.bigquery);
  return { fake, wh, config };
}

const jobInserts = (fake: BigqueryFake) =>
  fake.requests.filter((r) => r.method === 'POST' && /^\/bigquery\/v2\/projects\/[^/]+\/jobs$/.test(r.path));
const uploads = (fake: BigqueryFake) => fake.requests.filter((r) => r.path.startsWith('/upload/'));
const since = (fake: BigqueryFake, n: number): RecordedRequest[] => fake.requests.slice(n);

const plays = (n: number, from = 0): Row[] =>
  Array.from({ length: n }, (_, i) => ({
    user_id: 'u1',
    played_at: new Date(Date.UTC(2026, 10, 1) + (from + i) * 60_000).toISOString(),
    track_id: `t${from + i}`,
    context_type: i % 2 ? 'playlist' : null,
    context_uri: null,
    extracted_at: '2026-11-20T00:00:00.000Z',
  }));

test('ensureTables: the dataset in the configured location, nine tables with schemas, REQUIRED keys and DAY partitioning', async () => {
  const { fake, wh } = await setup();
  try {
    assert.match(await wh.version(), /dataset spotify_data not created yet/);
    await wh.ensureTables(Object.values(SPOTIFY_TABLES), { labels: { pipeline: 'spotify' } });
    const dataset = fake.requests.find(
      (r) => r.method === 'POST' && r.path === `/bigquery/v2/projects/${PROJECT}/datasets`,
    )!;
    assert.ok(dataset, 'the dataset is created');
    assert.is(dataset.body.datasetReference.datasetId, 'spotify_data');
    assert.is(dataset.body.location, 'EU');
    assert.is(dataset.body.labels.app, 'opsctl');
    const creates = fake.requests.filter(
      (r) => r.method === 'POST' && r.path.endsWith('/datasets/spotify_data/tables'),
    );
    assert.equal(creates.map((r) => r.body.tableReference.tableId).sort(), Object.keys(SPOTIFY_TABLES).sort());
    const byName = Object.fromEntries(creates.map((r) => [r.body.tableReference.tableId, r.body]));
    assert.equal(byName.recently_played.timePartitioning, { type: 'DAY', field: 'played_at' });
    assert.equal(byName.top_tracks.timePartitioning, { type: 'DAY', field: 'extracted_at' });
    assert.equal(byName.top_artists.timePartitioning, { type: 'DAY', field: 'extracted_at' });
    assert.is(byName.tracks.timePartitioning, undefined, 'only three tables are partitioned');
    const fields = byName.playlist_tracks.schema.fields as Array<{ name: string; type: string; mode: string }>;
    assert.equal(
      fields.find((f) => f.name === 'position'),
      { name: 'position', type: 'INT64', mode: 'REQUIRED' },
    );
    assert.equal(
      fields.find((f) => f.name === 'added_by'),
      { name: 'added_by', type: 'STRING', mode: 'NULLABLE' },
    );
    assert.equal(byName.playlist_tracks.clustering, { fields: ['playlist_id', 'position'] });
    const before = fake.requests.length;
    await wh.ensureTables(Object.values(SPOTIFY_TABLES));
    assert.is(since(fake, before).filter((r) => r.method === 'POST').length, 0, 'idempotent: nothing is created twice');
    assert.match(await wh.version(), /dataset spotify_data in EU/);
  } finally {
    await wh.close();
    await fake.close();
  }
});

test('upsert: a load job of NDJSON into a staging table, one MERGE deduplicating on the key, the staging table dropped', async () => {
  const { fake, wh } = await setup({}, { maximumBytesBilled: '5000000000' });
  try {
    const def = SPOTIFY_TABLES.recently_played;
    await wh.ensureTables([def]);
    const before = fake.requests.length;
    const rows = plays(3);
    const dup = { ...rows[1]!, track_id: 'replaced' }; // same key as rows[1], later in the batch: it wins
    const r1 = await wh.upsert(def, [...rows, dup], { labels: { pipeline: 'spotify', run: 'R-42' } });
    assert.equal(r1, { inserted: 3, updated: 0 });

    const sent = since(fake, before);
    const staging = sent.find((r) => r.method === 'POST' && r.path.endsWith('/tables'))!;
    const stagingId: string = staging.body.tableReference.tableId;
    assert.match(stagingId, /^recently_played__staging_[a-z0-9]+$/);
    assert.ok(Number(staging.body.expirationTime) > Date.now(), 'a staging table left by a killed run expires');
    assert.equal(staging.body.schema.fields.at(-1), { name: '_opsctl_seq', type: 'INT64', mode: 'REQUIRED' });

    const [upload] = uploads(fake);
    assert.ok(upload, 'the rows go through a media upload (a load job), not tabledata.insertAll');
    assert.ok(!fake.requests.some((r) => r.path.endsWith('/insertAll')), 'no streaming inserts');
    assert.is(upload.query.uploadType, 'multipart');
    const load = upload.upload!.resource.configuration.load;
    assert.is(load.sourceFormat, 'NEWLINE_DELIMITED_JSON');
    assert.is(load.writeDisposition, 'WRITE_TRUNCATE');
    assert.equal(load.destinationTable, { projectId: PROJECT, datasetId: 'spotify_data', tableId: stagingId });
    assert.equal(
      load.schema.fields.map((f: { name: string }) => f.name),
      [...def.columns.map((c) => c.name), '_opsctl_seq'],
    );
    assert.equal(upload.upload!.resource.configuration.labels, {
      team: 'data',
      operation: 'load',
      pipeline: 'spotify',
      run: 'r-42',
      app: 'opsctl',
    });
    const lines = upload
      .upload!.data.trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.is(lines.length, 4);
    assert.equal(lines[3], {
      user_id: 'u1',
      played_at: rows[1]!.played_at,
      track_id: 'replaced',
      context_type: 'playlist',
      extracted_at: '2026-11-20T00:00:00.000Z',
      _opsctl_seq: 3,
    });

    const merge = jobInserts(fake).find((r) => /^MERGE/.test(r.body.configuration.query.query))!;
    const sql: string = merge.body.configuration.query.query;
    assert.match(sql, /^MERGE INTO `acme-data`\.`spotify_data`\.`recently_played` AS T/);
    assert.match(sql, new RegExp(`FROM \`acme-data\`\\.\`spotify_data\`\\.\`${stagingId}\``));
    assert.match(
      sql,
      /QUALIFY ROW_NUMBER\(\) OVER \(PARTITION BY `user_id`, `played_at` ORDER BY `_opsctl_seq` DESC\) = 1/,
    );
    assert.match(
      sql,
      /ON T\.`user_id` = S\.`user_id` AND T\.`played_at` = S\.`played_at` AND T\.`played_at` BETWEEN \? AND \?\n/,
    );
    const range = merge.body.configuration.query.queryParameters as Array<{
      parameterType: { type: string };
      parameterValue: { value: string };
    }>;
    assert.equal(
      range.map((p) => p.parameterType.type),
      ['TIMESTAMP', 'TIMESTAMP'],
      "the batch's played_at range prunes the partitions the MERGE reads",
    );
    assert.equal(
      range.map((p) => new Date(p.parameterValue.value).getTime()),
      [Date.parse(rows[0]!.played_at as string) - 1, Date.parse(rows[2]!.played_at as string) + 1],
    );
    assert.match(sql, /WHEN MATCHED AND \(T\.`track_id` IS DISTINCT FROM S\.`track_id` OR /);
    assert.match(
      sql,
      /WHEN NOT MATCHED THEN\n {2}INSERT \(`user_id`, `played_at`, `track_id`, `context_type`, `context_uri`, `extracted_at`\)/,
    );
    assert.is(merge.body.configuration.query.maximumBytesBilled, '5000000000');
    assert.is(merge.body.configuration.query.useLegacySql, false);
    assert.equal(merge.body.configuration.labels, {
      team: 'data',
      operation: 'merge',
      pipeline: 'spotify',
      run: 'r-42',
      app: 'opsctl',
    });
    assert.is(merge.body.jobReference.location, 'EU');

    const drop = sent.find((r) => r.method === 'DELETE')!;
    assert.ok(drop.path.endsWith(`/tables/${stagingId}`), 'the staging table is dropped');
    assert.is(fake.tables.has(`spotify_data.${stagingId}`), false);

    const stored = await fake.sql('SELECT track_id FROM "spotify_data"."recently_played" ORDER BY played_at');
    assert.equal(
      stored.map((r) => r.track_id),
      ['t0', 'replaced', 't2'],
    );

    const again = await wh.upsert(def, [...rows.slice(0, 1), dup, rows[2]!]);
    assert.equal(again, { inserted: 0, updated: 0 }, 're-loading the same rows changes nothing');
    const changed = await wh.upsert(def, [{ ...rows[0]!, context_uri: 'spotify:playlist:x' }, ...plays(1, 10)]);
    assert.equal(changed, { inserted: 1, updated: 1 });
    assert.equal(
      (await fake.sql('SELECT count(*)::INT AS n FROM "spotify_data"."recently_played"'))[0],
      { n: 4 },
      'no duplicates',
    );
  } finally {
    await wh.close();
    await fake.close();
  }
});

test('upsert: a row missing a REQUIRED value fails before any job is sent; a rejected load names the table', async () => {
  const { fake, wh } = await setup();
  try {
    const def = SPOTIFY_TABLES.tracks;
    await wh.ensureTables([def]);
    const before = fake.requests.length;
    const err = await wh.upsert(def, [{ track_id: 'a', extracted_at: new Date() }]).catch((e: Error) => e);
    assert.instance(err, Error);
    assert.match((err as Error).message, /tracks\.name is required/);
    assert.is(fake.requests.length, before, 'nothing was sent');
    const bad = await wh
      .upsert(def, [{ track_id: 'a', name: 'n', duration_ms: 1.5, extracted_at: new Date() }])
      .catch((e: Error) => e);
    assert.match((bad as Error).message, /tracks\.duration_ms: 1\.5 is not a INT64/);
    await wh.upsert(def, [
      {
        track_id: 'a',
        name: 'Song',
        duration_ms: 1000,
        explicit: false,
        extracted_at: new Date('2026-11-20T00:00:00Z'),
      },
    ]);
    const [row] = await wh.query(
      'SELECT track_id, name, duration_ms, explicit, extracted_at FROM `acme-data.spotify_data.tracks`',
    );
    assert.equal(row, {
      track_id: 'a',
      name: 'Song',
      duration_ms: 1000,
      explicit: false,
      extracted_at: new Date('2026-11-20T00:00:00Z'),
    });
  } finally {
    await wh.close();
    await fake.close();
  }
});

test('deleteOlderThan: a COUNT for the dry run, a DML DELETE with the cutoff bound as a TIMESTAMP parameter', async () => {
  const { fake, wh } = await setup();
  try {
    const def = SPOTIFY_TABLES.recently_played;
    assert.is(
      await wh.deleteOlderThan(def, 'played_at', new Date()),
      0,
      'a table not created yet has nothing to delete',
    );
    await wh.ensureTables([def]);
    await wh.upsert(def, plays(10));
    const cutoff = new Date(plays(4)[3]!.played_at as string); // rows 0..2 are older
    const before = jobInserts(fake).length;
    assert.is(await wh.deleteOlderThan(def, 'played_at', cutoff, { dryRun: true, labels: { pipeline: 'spotify' } }), 3);
    assert.is(await wh.deleteOlderThan(def, 'played_at', cutoff, { labels: { pipeline: 'spotify' } }), 3);
    assert.is(await wh.deleteOlderThan(def, 'played_at', cutoff), 0);
    const [count, del] = jobInserts(fake).slice(before);
    assert.is(
      count!.body.configuration.query.query,
      'SELECT COUNT(*) AS n FROM `acme-data`.`spotify_data`.`recently_played` WHERE `played_at` < ?',
    );
    assert.is(
      del!.body.configuration.query.query,
      'DELETE FROM `acme-data`.`spotify_data`.`recently_played` WHERE `played_at` < ?',
    );
    assert.equal(del!.body.configuration.query.queryParameters[0].parameterType, { type: 'TIMESTAMP' });
    assert.is(del!.body.configuration.query.parameterMode, 'positional');
    assert.is(del!.body.configuration.labels.operation, 'retention');
    assert.ok(del!.body.configuration.query.maximumBytesBilled, 'capped');
    assert.is((await fake.sql('SELECT count(*)::INT AS n FROM "spotify_data"."recently_played"'))[0]!.n, 7);
    const err = await wh.deleteOlderThan(def, 'track_id', cutoff).catch((e: Error) => e);
    assert.match((err as Error).message, /not a TIMESTAMP or DATE column/);
  } finally {
    await wh.close();
    await fake.close();
  }
});

test('stream: one query job, then getQueryResults page by page with maxResults = batchSize and the pageToken', async () => {
  const { fake, wh } = await setup({ pendingPolls: 2 });
  try {
    const def = SPOTIFY_TABLES.recently_played;
    await wh.ensureTables([def]);
    await wh.upsert(def, plays(2500));
    const before = fake.requests.length;
    const sizes: number[] = [];
    let last: Row | undefined;
    for await (const batch of wh.stream(
      'SELECT * FROM `acme-data.spotify_data.recently_played` WHERE played_at >= ? ORDER BY played_at',
      [new Date('2026-11-01T00:00:00Z')],
      { batchSize: 1000, labels: { pipeline: 'sync' } },
    )) {
      sizes.push(batch.length);
      last = batch.at(-1);
    }
    assert.equal(sizes, [1000, 1000, 500]);
    assert.instance(last!.played_at, Date);
    assert.is((last!.played_at as Date).toISOString(), plays(1, 2499)[0]!.played_at);
    assert.is(last!.context_uri, null);
    const sent = since(fake, before);
    assert.is(sent.filter((r) => r.method === 'POST').length, 1, 'one query job');
    const pages = sent.filter((r) => r.path.includes('/queries/'));
    assert.is(pages.length, 2 + 3, 'two polls while the job ran, then three pages');
    assert.ok(pages.every((p) => p.query.maxResults === '1000'));
    assert.equal(
      pages.map((p) => Boolean(p.query.pageToken)),
      [false, false, false, true, true],
    );
    assert.is(sent[0]!.body.configuration.labels.operation, 'stream');
    assert.is(sent[0]!.body.configuration.labels.pipeline, 'sync');
  } finally {
    await wh.close();
    await fake.close();
  }
});

test('query: parameters bound by type (NULL included), labels and the cap; over the cap BigQuery refuses and opsctl says why', async () => {
  const { fake, wh } = await setup(
    { bytesProcessed: (sql) => (sql.includes('recently_played') ? 3 * GIB : 0) },
    { maximumBytesBilled: String(GIB) },
  );
  try {
    await wh.ensureTables([SPOTIFY_TABLES.tracks, SPOTIFY_TABLES.recently_played]);
    const rows = await wh.query<{ a: number; b: string | null; c: boolean; d: number }>(
      'SELECT ? AS a, ? AS b, ? AS c, ? AS d',
      [7, null, true, 1.5],
      { labels: { pipeline: 'adhoc' } },
    );
    assert.equal(rows, [{ a: 7, b: null, c: true, d: 1.5 }]);
    const job = jobInserts(fake).at(-1)!.body;
    assert.equal(
      job.configuration.query.queryParameters.map((p: { parameterType: { type: string } }) => p.parameterType.type),
      ['INT64', 'STRING', 'BOOL', 'FLOAT64'],
    );
    assert.equal(job.configuration.labels, { team: 'data', operation: 'query', pipeline: 'adhoc', app: 'opsctl' });
    assert.is(job.configuration.query.maximumBytesBilled, String(GIB));

    const err = await wh.query('SELECT * FROM `acme-data.spotify_data.recently_played`').catch((e: Error) => e);
    assert.is((err as { code?: string }).code, 'THRESHOLD_BREACHED');
    assert.match(
      (err as Error).message,
      /would bill more than maximumBytesBilled .*Query exceeded limit for bytes billed: 1073741824\. 3221225472 or higher required.*nothing was charged/,
    );
    assert.match((err as { hint?: string }).hint!, /raise warehouse\.bigquery\.maximumBytesBilled/);
    const failed = fake.jobs.at(-1)!;
    assert.is(failed.resource.configuration.query.maximumBytesBilled, String(GIB));

    const missing = await wh.query('SELECT * FROM `acme-data.spotify_data.nope`').catch((e: Error) => e);
    assert.match((missing as Error).message, /BigQuery rejected the query/);
  } finally {
    await wh.close();
    await fake.close();
  }
});

test("validate: the pipeline queries are the adapter's MERGE and retention DELETE, and they dry-run against the tables", async () => {
  const { fake, wh, config } = await setup({ bytesProcessed: () => 20 * 1024 ** 2 });
  try {
    const { pipelineQueries } = await import('../commands/validate/pipeline-queries.js');
    const { createBigqueryClient, dryRunQuery } = await import('../src/warehouse/bigquery-client.js');
    // A resolved config, as opsctl loads it (the parsed one above has no paths filled in).
    const resolved = (file: Record<string, unknown>) =>
      loadConfig({ fileConfig: file, isolated: true, env: {}, cwd: tempDir(), redactor: new Redactor() }).config;
    const withPipeline = resolved({ ...config, pipelines: { spotify: { kind: 'spotify' } } });
    const queries = pipelineQueries(withPipeline, new Date('2026-12-01T00:00:00Z'));
    assert.is(queries.filter((q) => q.name.endsWith(' merge')).length, 9);
    assert.equal(
      queries.filter((q) => q.name.endsWith(' retention')).map((q) => q.name),
      ['spotify/recently_played retention', 'spotify/top_tracks retention', 'spotify/top_artists retention'],
    );
    assert.equal(queries.find((q) => q.name === 'spotify/recently_played retention')!.params, [
      new Date('2026-09-02T00:00:00Z'),
    ]);
    assert.equal(pipelineQueries(resolved({})), [], 'no pipeline, no queries');
    const { mergeSql } = await import('../src/warehouse/bigquery/sql.js');
    const r = { projectId: PROJECT, datasetId: 'spotify_data', tableId: 'top_tracks' };
    assert.not.match(
      mergeSql(r, r, SPOTIFY_TABLES.top_tracks, { prune: true }),
      /BETWEEN/,
      'extracted_at is not in the key: a stored row may be older, no range',
    );
    const client = createBigqueryClient(config.warehouse.bigquery);
    const { dryRunCheck } = await import('../commands/validate/groups/bigquery.js');
    const early = await dryRunCheck(client, config.warehouse.bigquery, queries[0]!);
    assert.is(early.status, 'warn', 'before the first load the tables do not exist: a warning, not a failure');
    assert.match(early.hint!, /first `opsctl etl run` creates/);
    await wh.ensureTables(Object.values(SPOTIFY_TABLES));
    const ok = await dryRunCheck(client, config.warehouse.bigquery, queries[0]!);
    assert.equal(
      { status: ok.status, reason: ok.reason },
      { status: 'pass', reason: '20.0 MiB billed, within the 954 MiB cap' },
    );
    const capped = { ...config.warehouse.bigquery, maximumBytesBilled: String(10 * 1024 ** 2) };
    const over = await dryRunCheck(client, capped, queries.at(-1)!);
    assert.is(over.status, 'fail');
    assert.match(over.reason, /would bill 20\.0 MiB, over the 10\.0 MiB cap/);
    for (const q of queries) {
      const dry = await dryRunQuery(client, config.warehouse.bigquery, q.sql, q.pipeline, q.params);
      assert.is(dry.bytesProcessed, 20 * 1024 ** 2, q.name);
      assert.ok(dry.withinCap, q.name);
    }
    const dryJobs = jobInserts(fake).filter((r) => r.body.configuration.dryRun);
    assert.is(dryJobs.length, queries.length + 3);
    assert.ok(
      dryJobs.every(
        (r) => r.body.configuration.labels.app === 'opsctl' && r.body.configuration.query.maximumBytesBilled,
      ),
    );
    const broken = await dryRunQuery(
      client,
      config.warehouse.bigquery,
      'SELECT nope FROM `acme-data.spotify_data.tracks`',
    ).catch((e: Error) => e);
    assert.match((broken as Error).message, /BigQuery rejected the dry run/);
  } finally {
    await wh.close();
    await fake.close();
  }
});

test('ensureTables adds the columns a newer definition declares (NULLABLE); unqualified names resolve in the dataset', async () => {
  const { fake, wh } = await setup();
  try {
    const full = SPOTIFY_TABLES.artists;
    const older = { ...full, columns: full.columns.filter((c) => c.name !== 'followers' && c.name !== 'genres') };
    await wh.ensureTables([older]);
    await wh.upsert(older, [
      { artist_id: 'a1', name: 'A', popularity: 5, extracted_at: new Date('2026-11-20T00:00:00Z') },
    ]);
    await wh.ensureTables([full]);
    const patch = fake.requests.find((r) => r.method === 'PATCH')!;
    assert.ok(patch.path.endsWith('/datasets/spotify_data/tables/artists'));
    assert.equal(patch.body.schema.fields.slice(-2), [
      { name: 'genres', type: 'STRING', mode: 'NULLABLE' },
      { name: 'followers', type: 'INT64', mode: 'NULLABLE' },
    ]);
    assert.equal(
      await wh.upsert(full, [
        {
          artist_id: 'a1',
          name: 'A',
          popularity: 5,
          followers: 10,
          genres: '["pop"]',
          extracted_at: new Date('2026-11-20T00:00:00Z'),
        },
      ]),
      { inserted: 0, updated: 1 },
    );
    const before = fake.requests.length;
    await wh.ensureTables([full]);
    assert.ok(!since(fake, before).some((r) => r.method === 'PATCH'), 'nothing to add the second time');
    const rows = await wh.query<{ followers: number }>('SELECT followers FROM artists WHERE artist_id = ?', ['a1']);
    assert.equal(rows, [{ followers: 10 }]);
    assert.equal(jobInserts(fake).at(-1)!.body.configuration.query.defaultDataset, {
      projectId: PROJECT,
      datasetId: 'spotify_data',
    });
  } finally {
    await wh.close();
    await fake.close();
  }
});

test('DATE keys and JSON columns: compared as canonical JSON text, dates come back as YYYY-MM-DD, retention by day', async () => {
  const { fake, wh } = await setup();
  try {
    const def = {
      name: 'events',
      key: ['day', 'id'],
      partitionBy: { column: 'day', type: 'DAY' as const },
      columns: [
        { name: 'day', type: 'DATE' as const, required: true },
        { name: 'id', type: 'INT64' as const, required: true },
        { name: 'payload', type: 'JSON' as const },
      ],
    };
    await wh.ensureTables([def]);
    const rows = [
      { day: '2026-11-01', id: 1, payload: '{"a":1}' },
      { day: new Date('2026-11-02T23:00:00Z'), id: 2, payload: { b: [1, 2] } },
    ];
    assert.equal(await wh.upsert(def, rows), { inserted: 2, updated: 0 });
    const line = uploads(fake).at(-1)!.upload!.data.split('\n')[0]!;
    assert.equal(JSON.parse(line), { day: '2026-11-01', id: 1, payload: { a: 1 }, _opsctl_seq: 0 });
    assert.equal(await wh.upsert(def, rows), { inserted: 0, updated: 0 });
    assert.equal(await wh.upsert(def, [{ ...rows[0]!, payload: '{"a":2}' }]), { inserted: 0, updated: 1 });
    const merge = jobInserts(fake)
      .filter((r) => /^MERGE/.test(r.body.configuration.query.query))
      .at(-1)!.body.configuration.query.query as string;
    assert.match(merge, /TO_JSON_STRING\(T\.`payload`\) IS DISTINCT FROM TO_JSON_STRING\(S\.`payload`\)/);
    assert.match(merge, /AND T\.`day` BETWEEN DATE\(\?\) AND DATE\(\?\)\n/, 'a DATE partition key prunes by day');
    assert.equal(await wh.query('SELECT day, id FROM events ORDER BY id'), [
      { day: '2026-11-01', id: 1 },
      { day: '2026-11-02', id: 2 },
    ]);
    assert.is(await wh.deleteOlderThan(def, 'day', new Date('2026-11-02T12:00:00Z'), { dryRun: true }), 1);
    assert.match(jobInserts(fake).at(-1)!.body.configuration.query.query, /WHERE `day` < DATE\(\?\)$/);
    assert.is(await wh.deleteOlderThan(def, 'day', new Date('2026-11-02T12:00:00Z')), 1);
    const bad = await wh.upsert({ ...def, key: ['payload'] }, rows).catch((e: Error) => e);
    assert.match((bad as Error).message, /JSON, which BigQuery cannot join on/);
  } finally {
    await wh.close();
    await fake.close();
  }
});

test('a load upload that fails transiently is retried with the same job id, and never loads twice', async () => {
  const { fake, wh } = await setup({ uploadFailures: ['before', 'after'] });
  try {
    const def = SPOTIFY_TABLES.recently_played;
    await wh.ensureTables([def]);
    assert.equal(await wh.upsert(def, plays(5)), { inserted: 5, updated: 0 });
    const sent = uploads(fake);
    assert.is(
      sent.length,
      3,
      '503, 503 after creating the job, then 409 duplicate: the job exists, opsctl waits for it',
    );
    assert.is(new Set(sent.map((r) => r.upload!.resource.jobReference.jobId)).size, 1, 'one job id throughout');
    assert.is(fake.jobs.filter((j) => j.type === 'LOAD').length, 1);
    assert.is((await fake.sql('SELECT count(*)::INT AS n FROM "spotify_data"."recently_played"'))[0]!.n, 5);
  } finally {
    await wh.close();
    await fake.close();
  }
});

test('cancelling a stream cancels the BigQuery job and ends with a CancelledError', async () => {
  const { fake, wh } = await setup();
  try {
    const def = SPOTIFY_TABLES.recently_played;
    await wh.ensureTables([def]);
    await wh.upsert(def, plays(30));
    const abort = new AbortController();
    let pages = 0;
    const err = await (async () => {
      for await (const _ of wh.stream('SELECT * FROM recently_played', [], { batchSize: 10, signal: abort.signal })) {
        pages += 1;
        abort.abort();
      }
    })().catch((e: Error) => e);
    assert.is(pages, 1);
    assert.is((err as { code?: string }).code, 'CANCELLED');
    assert.ok(
      fake.requests.some((r) => r.method === 'POST' && r.path.endsWith('/cancel')),
      'jobs.cancel was sent',
    );
  } finally {
    await wh.close();
    await fake.close();
  }
});

test('metering: upserts and streams are measured in BigQuery bytes, also when the reader stops early', async () => {
  const { fake, wh } = await setup();
  try {
    const { meteredWarehouse, logicalBytes } = await import('../src/costs/metering.js');
    const jobs: Array<{
      operation: string;
      pipeline?: string | null;
      bytesScanned: number;
      rowsRead: number;
      query: string;
    }> = [];
    const metered = meteredWarehouse(wh, { operation: 'etl.run', pipeline: 'spotify' }, async (job) => {
      jobs.push(job);
    });
    const def = SPOTIFY_TABLES.recently_played;
    await metered.ensureTables([def]);
    const rows = plays(30);
    assert.equal(await metered.upsert(def, rows), { inserted: 30, updated: 0 });
    assert.equal(await metered.upsert(def, []), { inserted: 0, updated: 0 });
    assert.is(jobs.length, 1, 'an empty upsert reads nothing');
    assert.equal(jobs[0], {
      warehouse: 'bigquery',
      operation: 'etl.run',
      pipeline: 'spotify',
      bytesScanned: logicalBytes(rows),
      rowsRead: 30,
      query: 'MERGE INTO recently_played (30 staged rows)',
    });
    const sql = 'SELECT user_id, track_id FROM `acme-data.spotify_data.recently_played` ORDER BY played_at';
    let seen = 0;
    for await (const batch of metered.stream(sql, [], { batchSize: 10 })) {
      seen += batch.length;
      if (seen >= 20) break;
    }
    assert.is(jobs.length, 2);
    assert.equal({ rows: jobs[1]!.rowsRead, query: jobs[1]!.query }, { rows: 20, query: sql });
    assert.is(
      jobs[1]!.bytesScanned,
      logicalBytes(rows.slice(0, 20).map((r) => ({ user_id: r.user_id, track_id: r.track_id }))),
    );
    assert.is(await metered.deleteOlderThan(def, 'played_at', new Date('2027-01-01T00:00:00Z'), { dryRun: true }), 30);
    assert.is(jobs.length, 2, 'retention is not a read of rows');
  } finally {
    await wh.close();
    await fake.close();
  }
});

test('--log-level debug traces the BigQuery client’s HTTP calls (a library on node:http): method, host, path, status; no query string', async () => {
  const records: LogRecord[] = [];
  const { fake, wh } = await setup();
  setTraceLog(createLogger({ level: 'debug', sink: (r) => records.push(r) }));
  try {
    await wh.version();
    const http = records.filter((r) => r.msg === 'http');
    assert.ok(http.length > 0, `no http record: ${JSON.stringify(records)}`);
    const host = new URL(fake.url).host;
    for (const r of http) {
      assert.is(r.host, host);
      assert.match(String(r.path), /^\/bigquery\/v2\/projects\/acme-data\//);
      assert.not.match(String(r.path), /\?/);
      assert.type(r.status, 'number');
      assert.type(r.ms, 'number');
    }
    // Telegram's Bot API carries the token in the path: the trace masks it.
    const { request } = await import('node:http');
    await new Promise<void>((resolve) => {
      request(`${fake.url}/bot123456:SECRET-token/getMe?offset=1`, (res) => res.resume().on('end', resolve)).end();
    });
    const telegram = records.filter((r) => r.msg === 'http' && String(r.path).startsWith('/bot'));
    assert.equal(
      telegram.map((r) => r.path),
      ['/bot***/getMe'],
    );
    assert.not.match(JSON.stringify(records), /SECRET-token/);
  } finally {
    setTraceLog(undefined);
    await fake.close();
  }
});

test.run();
