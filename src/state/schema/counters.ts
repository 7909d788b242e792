import type { StateMigration } from './types.js';

/**
 * Counters kept on write, so what the bot reads at every /metrics scrape and alert check costs the same at a thousand
 * runs and at a million: runs per (operation, pipeline, status), and the newest execution-log row of each table.
 * Triggers keep them, so every writer (opsctl of this version, raw SQL, retention's deletes) is counted alike.
 */
export const counterMigrations: StateMigration[] = [
  {
    id: 'counters/001_run_counts',
    up: (d) => `
      CREATE TABLE run_counts (
        operation TEXT NOT NULL,
        pipeline TEXT NOT NULL,
        status TEXT NOT NULL,
        n ${d.bigint} NOT NULL,
        PRIMARY KEY (operation, pipeline, status)
      );
      INSERT INTO run_counts (operation, pipeline, status, n)
        SELECT operation, COALESCE(pipeline, ''), status, COUNT(*) FROM runs GROUP BY operation, COALESCE(pipeline, ''), status;
      CREATE INDEX runs_operation_pipeline_idx ON runs (operation, pipeline, id);
      CREATE TABLE execution_latest (
        pipeline TEXT NOT NULL,
        table_name TEXT NOT NULL,
        last_id ${d.bigint} NOT NULL,
        PRIMARY KEY (pipeline, table_name)
      );
      INSERT INTO execution_latest (pipeline, table_name, last_id)
        SELECT pipeline, table_name, MAX(id) FROM execution_log GROUP BY pipeline, table_name;
      ${d.name === 'sqlite' ? sqliteTriggers : postgresTriggers}
    `,
  },
  {
    // The newest finished (succeeded or failed) run of each operation and pipeline, so the scrape reads them in one
    // statement of primary-key lookups instead of one indexed search per pair.
    id: 'counters/002_run_latest',
    up: (d) => `
      CREATE TABLE run_latest (
        operation TEXT NOT NULL,
        pipeline TEXT NOT NULL,
        last_id ${d.bigint} NOT NULL,
        PRIMARY KEY (operation, pipeline)
      );
      INSERT INTO run_latest (operation, pipeline, last_id)
        SELECT operation, COALESCE(pipeline, ''), MAX(id) FROM runs WHERE status IN ('succeeded', 'failed')
        GROUP BY operation, COALESCE(pipeline, '');
      ${d.name === 'sqlite' ? sqliteLatestTriggers : postgresLatestTriggers}
    `,
  },
];

const FINISHED = "('succeeded', 'failed')";
const latestUpsert = (greatest: string) =>
  `INSERT INTO run_latest (operation, pipeline, last_id) VALUES (NEW.operation, COALESCE(NEW.pipeline, ''), NEW.id)
   ON CONFLICT (operation, pipeline) DO UPDATE SET last_id = ${greatest}(run_latest.last_id, excluded.last_id)`;
/** When the run it points at goes (retention), the pair's previous finished run takes its place (an indexed search). */
const latestRepoint = `UPDATE run_latest SET last_id = COALESCE((SELECT MAX(id) FROM runs WHERE operation = OLD.operation
     AND COALESCE(pipeline, '') = COALESCE(OLD.pipeline, '') AND status IN ${FINISHED}), 0)
   WHERE operation = OLD.operation AND pipeline = COALESCE(OLD.pipeline, '') AND last_id = OLD.id`;

const sqliteLatestTriggers = `
  CREATE TRIGGER run_latest_insert AFTER INSERT ON runs WHEN NEW.status IN ${FINISHED} BEGIN ${latestUpsert('MAX')}; END;
  CREATE TRIGGER run_latest_update AFTER UPDATE OF status ON runs WHEN NEW.status IN ${FINISHED} BEGIN ${latestUpsert('MAX')}; END;
  CREATE TRIGGER run_latest_delete AFTER DELETE ON runs BEGIN ${latestRepoint}; END;
`;

const postgresLatestTriggers = `
  CREATE FUNCTION run_latest_track() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF TG_OP = 'DELETE' THEN ${latestRepoint};
    ELSIF NEW.status IN ${FINISHED} THEN ${latestUpsert('GREATEST')};
    END IF;
    RETURN NULL;
  END $$;
  CREATE TRIGGER run_latest_track AFTER INSERT OR DELETE OR UPDATE OF status ON runs FOR EACH ROW
    EXECUTE FUNCTION run_latest_track();
`;

const bump = (row: 'NEW' | 'OLD', delta: 1 | -1) =>
  `INSERT INTO run_counts (operation, pipeline, status, n) VALUES (${row}.operation, COALESCE(${row}.pipeline, ''), ${row}.status, ${delta})
   ON CONFLICT (operation, pipeline, status) DO UPDATE SET n = run_counts.n + ${delta}`;

const sqliteTriggers = `
  CREATE TRIGGER run_counts_insert AFTER INSERT ON runs BEGIN ${bump('NEW', 1)}; END;
  CREATE TRIGGER run_counts_delete AFTER DELETE ON runs BEGIN ${bump('OLD', -1)}; END;
  CREATE TRIGGER run_counts_update AFTER UPDATE OF operation, pipeline, status ON runs
    WHEN OLD.operation IS NOT NEW.operation OR OLD.pipeline IS NOT NEW.pipeline OR OLD.status IS NOT NEW.status
    BEGIN ${bump('OLD', -1)}; ${bump('NEW', 1)}; END;
  CREATE TRIGGER execution_latest_insert AFTER INSERT ON execution_log BEGIN
    INSERT INTO execution_latest (pipeline, table_name, last_id) VALUES (NEW.pipeline, NEW.table_name, NEW.id)
    ON CONFLICT (pipeline, table_name) DO UPDATE SET last_id = MAX(execution_latest.last_id, excluded.last_id);
  END;
  CREATE TRIGGER execution_latest_delete AFTER DELETE ON execution_log BEGIN
    DELETE FROM execution_latest WHERE pipeline = OLD.pipeline AND table_name = OLD.table_name AND last_id = OLD.id;
  END;
`;

const postgresTriggers = `
  CREATE FUNCTION run_counts_track() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN ${bump('OLD', -1)}; END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN ${bump('NEW', 1)}; END IF;
    RETURN NULL;
  END $$;
  CREATE TRIGGER run_counts_insert_delete AFTER INSERT OR DELETE ON runs FOR EACH ROW EXECUTE FUNCTION run_counts_track();
  CREATE TRIGGER run_counts_update AFTER UPDATE OF operation, pipeline, status ON runs FOR EACH ROW
    WHEN (OLD.operation IS DISTINCT FROM NEW.operation OR OLD.pipeline IS DISTINCT FROM NEW.pipeline OR OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION run_counts_track();
  CREATE FUNCTION execution_latest_track() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF TG_OP = 'INSERT' THEN
      INSERT INTO execution_latest (pipeline, table_name, last_id) VALUES (NEW.pipeline, NEW.table_name, NEW.id)
      ON CONFLICT (pipeline, table_name) DO UPDATE SET last_id = GREATEST(execution_latest.last_id, excluded.last_id);
    ELSE
      DELETE FROM execution_latest WHERE pipeline = OLD.pipeline AND table_name = OLD.table_name AND last_id = OLD.id;
    END IF;
    RETURN NULL;
  END $$;
  CREATE TRIGGER execution_latest_track AFTER INSERT OR DELETE ON execution_log FOR EACH ROW
    EXECUTE FUNCTION execution_latest_track();
`;
