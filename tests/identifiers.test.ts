import { DuckDBInstance } from '@duckdb/node-api';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { qualifiedName, quoteBigQuery, quoteMysql, quotePg } from '../src/db/identifiers.js';
import { UsageError } from '../src/errors.js';
import { createMysqlDatabase, createPgDatabase } from './helpers/databases.js';

/** Names that break naive quoting: each must stay one identifier and come back from the catalog unchanged. */
const HOSTILE = [
  'plain',
  'a"b',
  'a`b',
  'a.b',
  'with space',
  'ünïcödé ✓',
  '"; DROP TABLE victims; --',
  '`; DROP TABLE victims; --',
  'back\\slash',
  'select',
];

test('PostgreSQL: the double quote doubled, nothing else touched', () => {
  assert.is(quotePg('users'), '"users"');
  assert.is(quotePg('a"b'), '"a""b"');
  assert.is(quotePg('a`b'), '"a`b"');
  assert.is(quotePg('a.b'), '"a.b"', 'a string is one identifier, dots included');
  assert.is(quotePg('ünïcödé ✓'), '"ünïcödé ✓"');
  assert.is(quotePg(['public', 'we"ird']), '"public"."we""ird"');
});

test('MySQL: the backtick doubled', () => {
  assert.is(quoteMysql('users'), '`users`');
  assert.is(quoteMysql('a`b'), '`a``b`');
  assert.is(quoteMysql('a"b'), '`a"b`');
  assert.is(quoteMysql(['db', 'a.b']), '`db`.`a.b`');
});

test('BigQuery: backtick and backslash escaped with a backslash; a path part by part', () => {
  assert.is(quoteBigQuery('users'), '`users`');
  assert.is(quoteBigQuery('a`b'), '`a\\`b`');
  assert.is(quoteBigQuery('back\\slash'), '`back\\\\slash`');
  assert.is(quoteBigQuery('a`\\'), '`a\\`\\\\`', 'a trailing backslash cannot escape the closing quote');
  assert.is(quoteBigQuery(['acme-data', 'region-us']), '`acme-data`.`region-us`');
});

test('dotted names from config split into their parts; an empty part is refused', () => {
  assert.equal(qualifiedName('users'), ['users']);
  assert.equal(qualifiedName('analytics.users'), ['analytics', 'users']);
  assert.equal(qualifiedName('acme-data.ds.t'), ['acme-data', 'ds', 't']);
  assert.is(quotePg(qualifiedName('s.t')), '"s"."t"');
  for (const bad of ['', '.t', 's.', 's..t']) assert.throws(() => qualifiedName(bad), /parts is empty/, bad);
});

test('an empty name or a NUL is refused in every dialect, alone or as a part', () => {
  for (const quote of [quotePg, quoteMysql, quoteBigQuery]) {
    for (const bad of ['', 'a\0b', ['s', ''], ['s', '\0']]) {
      assert.throws(
        () => quote(bad),
        (e: unknown) => e instanceof UsageError && /empty|NUL/.test(e.message),
        JSON.stringify(bad),
      );
    }
  }
});

test('PostgreSQL round trip: each hostile name creates exactly the table and column it names', async () => {
  const db = await createPgDatabase('opsctl_ident');
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    await client.query('CREATE TABLE victims (id int)');
    await client.query(`CREATE SCHEMA ${quotePg('sch"ema')}`);
    for (const name of HOSTILE) {
      await client.query(`CREATE TABLE ${quotePg(['sch"ema', name])} (${quotePg(name)} text)`);
      await client.query(`INSERT INTO ${quotePg(['sch"ema', name])} (${quotePg(name)}) VALUES ($1)`, [name]);
      const { rows } = await client.query<{ v: string }>(
        `SELECT ${quotePg(name)} AS v FROM ${quotePg(['sch"ema', name])}`,
      );
      assert.equal(rows, [{ v: name }]);
    }
    const { rows } = await client.query<{ table_name: string; column_name: string }>(
      "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'sch\"ema' ORDER BY 1",
    );
    assert.equal(rows.map((r) => r.table_name).sort(), [...HOSTILE].sort());
    assert.ok(rows.every((r) => r.table_name === r.column_name));
    const victims = await client.query("SELECT 1 FROM pg_tables WHERE tablename = 'victims'");
    assert.is(victims.rowCount, 1, 'no name escaped its quotes');
  } finally {
    await client.end();
    await db.drop();
  }
});

test('MariaDB round trip: each hostile name creates exactly the table and column it names', async () => {
  const db = await createMysqlDatabase('opsctl_ident');
  const conn = await mysql.createConnection(db.url);
  try {
    await conn.query('CREATE TABLE victims (id int)');
    for (const name of HOSTILE) {
      await conn.query(`CREATE TABLE ${quoteMysql([db.name, name])} (${quoteMysql(name)} text)`);
      await conn.query(`INSERT INTO ${quoteMysql(name)} (${quoteMysql(name)}) VALUES (?)`, [name]);
      const [rows] = await conn.query(`SELECT ${quoteMysql(name)} AS v FROM ${quoteMysql(name)}`);
      assert.equal(rows, [{ v: name }]);
    }
    const [tables] = await conn.query(
      "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name <> 'victims'",
    );
    assert.equal((tables as Array<{ t: string }>).map((r) => r.t).sort(), [...HOSTILE].sort());
  } finally {
    await conn.end();
    await db.drop();
  }
});

test('DuckDB round trip (PostgreSQL rule): each hostile name creates exactly the table it names', async () => {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run('CREATE TABLE victims (id INTEGER)');
    for (const name of HOSTILE) {
      await connection.run(`CREATE TABLE ${quotePg(['main', name])} (${quotePg(name)} VARCHAR)`);
      await connection.run(`INSERT INTO ${quotePg(name)} VALUES ($1)`, [name]);
      const reader = await connection.runAndReadAll(`SELECT ${quotePg(name)} AS v FROM ${quotePg(name)}`);
      assert.equal(reader.getRowObjects(), [{ v: name }]);
    }
    const reader = await connection.runAndReadAll(
      "SELECT table_name FROM duckdb_tables() WHERE table_name <> 'victims' ORDER BY 1",
    );
    assert.equal(
      reader
        .getRowObjects()
        .map((r) => r.table_name)
        .sort(),
      [...HOSTILE].sort(),
    );
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
});

test.run();
