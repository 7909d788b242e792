import { z } from 'zod';
import { parseDuration } from '../../src/config/sections/common.js';
import {
  MAINTENANCE,
  maintainTable,
  readIndexes,
  readSlow,
  readTop,
  stopSession,
  type IndexesReport,
  type SlowReport,
  type TopReport,
} from '../../src/db/vitals.js';
import { NotFoundError } from '../../src/errors.js';
import { confirmFields, defineOperation, requireConfirmation, type OperationContext } from '../operation.js';
import { targetConfig, targetInput, withTarget } from '../migrate/common.js';

interface Header {
  target: string;
  engine: string;
  server: string;
}

async function onTarget<T>(
  ctx: OperationContext,
  name: string,
  phase: string,
  fn: Parameters<typeof withTarget<T>>[2],
) {
  targetConfig(ctx, name);
  ctx.progress({ phase });
  return withTarget(ctx, name, fn, 0);
}

const slowMs = (ctx: OperationContext) => parseDuration(ctx.config.health.slowQuery) ?? 1_000;

export interface DbTopResult extends Header, TopReport {
  /** Connections past health.connections (percent of max_connections, or the absolute max). */
  nearLimit: boolean;
  /** Running queries older than health.slowQuery. */
  longRunning: number;
}

/** Connections against max_connections (per user and application), running queries, lock waits, replication lag. */
export const dbTop = defineOperation({
  name: 'db.top',
  summary: 'Connections, running queries (age, redacted text), lock waits and replication lag of a target',
  input: z.object({ target: targetInput }),
  async run(ctx, input): Promise<DbTopResult> {
    return onTarget(ctx, input.target, 'reading vitals', async (db) => {
      const top = await readTop(db);
      const limits = ctx.config.health.connections;
      const nearLimit =
        top.connections.percent > limits.percent || (limits.max !== null && top.connections.inUse > limits.max);
      return {
        target: input.target,
        engine: db.engine,
        server: await db.serverVersion(),
        ...top,
        nearLimit,
        longRunning: top.queries.filter((q) => q.ageMs >= slowMs(ctx)).length,
      };
    });
  },
});

export interface DbSlowResult extends Header, SlowReport {
  slowMs: number;
}

export const dbSlow = defineOperation({
  name: 'db.slow',
  summary: 'Statements slower than health.slowQuery on average (pg_stat_statements, performance_schema, slow_log)',
  input: z.object({ target: targetInput, limit: z.number().int().min(1).max(1_000).default(20) }),
  async run(ctx, input): Promise<DbSlowResult> {
    return onTarget(ctx, input.target, 'reading statement statistics', async (db) => ({
      target: input.target,
      engine: db.engine,
      server: await db.serverVersion(),
      slowMs: slowMs(ctx),
      ...(await readSlow(db, slowMs(ctx), input.limit)),
    }));
  },
});

export type DbIndexesResult = Header & IndexesReport;

export const dbIndexes = defineOperation({
  name: 'db.indexes',
  summary: 'Unused indexes (never scanned, not unique) and table sizes of a target',
  input: z.object({ target: targetInput }),
  async run(ctx, input): Promise<DbIndexesResult> {
    return onTarget(ctx, input.target, 'reading index usage', async (db) => ({
      target: input.target,
      engine: db.engine,
      server: await db.serverVersion(),
      ...(await readIndexes(db)),
    }));
  },
});

export interface DbStopResult {
  target: string;
  id: number;
  how: 'cancel' | 'terminate';
  done: boolean;
}

const stopInput = z.object({ target: targetInput, id: z.number().int().positive(), ...confirmFields });

function stopOperation(how: 'cancel' | 'terminate') {
  return defineOperation({
    name: `db.${how}`,
    summary:
      how === 'cancel'
        ? "Cancel a session's running statement (pg_cancel_backend, KILL QUERY); asks first"
        : 'End a session (pg_terminate_backend, KILL); asks first',
    input: stopInput,
    async run(ctx, input): Promise<DbStopResult> {
      const config = targetConfig(ctx, input.target);
      requireConfirmation(
        input,
        `${how} session ${input.id} on target "${input.target}"${config.production ? ' (PRODUCTION)' : ''}`,
        { target: { name: input.target, production: config.production }, details: { id: input.id } },
      );
      return onTarget(ctx, input.target, `${how}ing session ${input.id}`, async (db) => {
        const done = await stopSession(db, input.id, how);
        if (!done)
          throw new NotFoundError(`session ${input.id} is not running on target "${input.target}"`, {
            hint: `List sessions with \`opsctl db top ${input.target}\`.`,
          });
        return { target: input.target, id: input.id, how, done };
      });
    },
  });
}

export const dbCancel = stopOperation('cancel');
export const dbTerminate = stopOperation('terminate');

export interface DbMaintainResult {
  target: string;
  table: string;
  action: (typeof MAINTENANCE)[number];
  sql: string;
  durationMs: number;
}

export const dbMaintain = defineOperation({
  name: 'db.maintain',
  summary: 'VACUUM ANALYZE, ANALYZE or REINDEX a table (MySQL: ANALYZE / OPTIMIZE TABLE); asks first',
  input: z.object({
    target: targetInput,
    table: z.string().min(1).max(200),
    action: z.enum(MAINTENANCE).default('vacuum-analyze'),
    ...confirmFields,
  }),
  async run(ctx, input): Promise<DbMaintainResult> {
    const config = targetConfig(ctx, input.target);
    requireConfirmation(
      input,
      `${input.action} table ${input.table} on target "${input.target}"${config.production ? ' (PRODUCTION)' : ''}`,
      { target: { name: input.target, production: config.production } },
    );
    return onTarget(ctx, input.target, `${input.action} ${input.table}`, async (db) => {
      const started = performance.now();
      const sql = await maintainTable(db, input.table, input.action);
      return {
        target: input.target,
        table: input.table,
        action: input.action,
        sql,
        durationMs: Math.round(performance.now() - started),
      };
    });
  },
});
