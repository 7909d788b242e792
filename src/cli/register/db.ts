import type { Command } from 'commander';
import { bytes, count, duration, latency, percent, plural } from '../../format.js';
import { action } from '../action.js';
import { confirmation, CONFIRM_TARGET_FLAG, CONFIRM_TARGET_HELP, oneOf, required, wholeNumber } from '../args.js';

const MAINTENANCE = ['vacuum-analyze', 'analyze', 'reindex'] as const;

export function registerDb(program: Command): void {
  const db = program
    .command('db')
    .description(
      'Database vitals per target: connections, running queries, lock waits, slow statements, unused indexes',
    )
    .helpGroup('Databases:')
    .addHelpText(
      'after',
      `
PostgreSQL and MySQL/MariaDB alike.
Query text is shown with its literals replaced by ?. Thresholds: health.connections (80% of max_connections or
150 connections) and health.slowQuery (1s).

Examples:
  opsctl db top app                    connections per user/application, running queries, who blocks whom
  opsctl db slow reco                  slowest statements, or how to turn statement statistics on
  opsctl db indexes app --json
  opsctl db cancel app 4242            cancel session 4242's statement (asks first)
  opsctl db maintain app events --action vacuum-analyze --yes`,
    );

  db.command('top')
    .description(
      'Connections against max_connections (per user and application), running queries, lock waits, replication lag',
    )
    .argument('<target>', 'a target from config (targets.<name>)')
    .action(
      action({
        operation: 'db.top',
        input: (args) => ({ target: required(args, 0, '<target>') }),
        render(r, out) {
          const c = r.connections;
          const used = `${count(c.inUse)} of ${count(c.max)} (${percent(c.percent)})`;
          out.kv([
            ['target', `${r.target} (${r.server})`],
            ['connections', r.nearLimit ? out.c.red(`${used} near the limit`) : used],
            ['replication lag', r.replicationLagMs === null ? 'not a replica' : duration(r.replicationLagMs)],
          ]);
          out.line();
          out.table(c.byUser, [
            { header: 'USER', value: (u) => u.user },
            { header: 'APPLICATION', value: (u) => u.application },
            { header: 'CONNECTIONS', value: (u) => u.count, align: 'right' },
          ]);
          out.line();
          out.table(
            r.queries,
            [
              { header: 'ID', value: (q) => q.id, align: 'right' },
              { header: 'USER', value: (q) => q.user },
              { header: 'STATE', value: (q) => q.state },
              { header: 'AGE', value: (q) => duration(q.ageMs), align: 'right' },
              { header: 'WAITING', value: (q) => q.waiting ?? '' },
              { header: 'QUERY', value: (q) => q.query.replace(/\s+/g, ' ').slice(0, 100) },
            ],
            { empty: '(no running queries)' },
          );
          if (r.locks.length) {
            out.line();
            out.line(out.c.bold('lock waits'));
            for (const l of r.locks)
              out.line(
                `  ${l.waitingId} waits ${duration(l.waitMs)} for ${out.c.red(String(l.blockingId))}: ${l.waitingQuery.slice(0, 60)}  ←  ${l.blockingQuery.slice(0, 60)}`,
              );
          }
          for (const n of r.notes) out.line(out.c.dim(n));
        },
        exitCode: (r) => (r.nearLimit ? 1 : 0),
      }),
    );

  db.command('slow')
    .description('Statements slower than health.slowQuery on average, slowest total first')
    .argument('<target>', 'a target from config (targets.<name>)')
    .option('--limit <n>', 'how many statements', '20')
    .action(
      action({
        operation: 'db.slow',
        input: (args, o) => ({ target: required(args, 0, '<target>'), limit: wholeNumber(o.limit, '--limit') }),
        render(r, out) {
          if (r.source === null) {
            out.line(out.c.yellow(`no statement statistics on ${r.target}: ${r.howToEnable ?? ''}`));
            return;
          }
          out.line(out.c.dim(`from ${r.source}, mean ≥ ${latency(r.slowMs)}`));
          out.table(
            r.statements,
            [
              { header: 'CALLS', value: (s) => count(s.calls), align: 'right' },
              { header: 'MEAN', value: (s) => latency(s.meanMs), align: 'right' },
              { header: 'TOTAL', value: (s) => duration(s.totalMs), align: 'right' },
              { header: 'QUERY', value: (s) => s.query.replace(/\s+/g, ' ').slice(0, 100) },
            ],
            { empty: '(no statement that slow)' },
          );
        },
      }),
    );

  db.command('indexes')
    .description('Unused indexes (never scanned; primary and unique keys left out) and table sizes')
    .argument('<target>', 'a target from config (targets.<name>)')
    .action(
      action({
        operation: 'db.indexes',
        input: (args) => ({ target: required(args, 0, '<target>') }),
        render(r, out) {
          out.line(out.c.bold(plural(r.unused.length, 'unused index', 'unused indexes')));
          out.table(
            r.unused,
            [
              { header: 'TABLE', value: (u) => u.table },
              { header: 'INDEX', value: (u) => u.index },
              { header: 'SIZE', value: (u) => bytes(u.sizeBytes), align: 'right' },
            ],
            { empty: '(none)' },
          );
          out.line();
          out.table(r.tables, [
            { header: 'TABLE', value: (t) => t.table },
            { header: 'ROWS', value: (t) => count(t.rows), align: 'right' },
            { header: 'SIZE', value: (t) => bytes(t.sizeBytes), align: 'right' },
          ]);
          for (const n of r.notes) out.line(out.c.dim(n));
        },
      }),
    );

  for (const how of ['cancel', 'terminate'] as const) {
    db.command(how)
      .description(
        how === 'cancel'
          ? "Cancel a session's running statement (pg_cancel_backend / KILL QUERY); asks first"
          : 'End a session (pg_terminate_backend / KILL); asks first',
      )
      .argument('<target>', 'a target from config (targets.<name>)')
      .argument('<id>', 'the session id (ID in opsctl db top)')
      .option('-y, --yes', 'confirm without asking (scripts)')
      .option(CONFIRM_TARGET_FLAG, CONFIRM_TARGET_HELP)
      .action(
        action({
          operation: how === 'cancel' ? 'db.cancel' : 'db.terminate',
          input: (args, o) => ({
            target: required(args, 0, '<target>'),
            id: wholeNumber(required(args, 1, '<id>'), '<id>'),
            ...confirmation(o),
          }),
          render: (r, out) =>
            out.line(`${out.c.green(how === 'cancel' ? 'cancelled' : 'terminated')} session ${r.id} on ${r.target}`),
        }),
      );
  }

  db.command('maintain')
    .description('VACUUM ANALYZE, ANALYZE or REINDEX a table (MySQL: ANALYZE TABLE, OPTIMIZE TABLE); asks first')
    .argument('<target>', 'a target from config (targets.<name>)')
    .argument('<table>', 'the table')
    .option('--action <what>', `one of ${MAINTENANCE.join(', ')}`, 'vacuum-analyze')
    .option('-y, --yes', 'confirm without asking (scripts)')
    .option(CONFIRM_TARGET_FLAG, CONFIRM_TARGET_HELP)
    .action(
      action({
        operation: 'db.maintain',
        input: (args, o) => ({
          target: required(args, 0, '<target>'),
          table: required(args, 1, '<table>'),
          action: oneOf(o.action, MAINTENANCE, '--action'),
          ...confirmation(o),
        }),
        render: (r, out) => out.line(`${out.c.green('done')} ${r.sql} in ${duration(r.durationMs)}`),
      }),
    );
}
