import { quotePg } from '../../src/db/identifiers.js';
import {
  createTableSql,
  EXECUTION_LOG_TABLE,
  META_TABLES_SQL,
  WATERMARKS_TABLE,
} from '../../src/pipelines/sync/ddl.js';
import { PULSO_TABLES } from '../../src/pipelines/sync/sample.js';

/**
 * The seeds' real migrations, shipped in the demo workspace: the dashboards' tables and the ETL state tables (the
 * "Pulso" sync), the invoice bot's indexes for PostgreSQL, and the recommendation service's MySQL indexes with their
 * rollback. `opsctl demo` applies the PostgreSQL ones to the embedded PGlite target.
 */
const DASHBOARD_TABLES = Object.entries(PULSO_TABLES).map(([name, t]) => ({
  name,
  columns: Object.entries(t.columns).map(([column, type]) => ({ name: column, type })),
  key: [...t.primary_key],
}));

export const POSTGRES_EXAMPLES: Record<string, string> = {
  '001_dashboard_tables.sql': `-- migrate:up
-- The dashboards' tables, keyed as the incremental sync upserts them (the same definitions as the demo's sync config,
-- so \`opsctl sync check\` passes on a database migrated with these files).
${DASHBOARD_TABLES.map((t) => `${createTableSql(t)};`).join('\n')}

-- migrate:down
${DASHBOARD_TABLES.map((t) => `DROP TABLE ${quotePg(t.name)};`)
  .reverse()
  .join('\n')}
`,
  '002_etl_state.sql': `-- migrate:up
-- The sync's bookkeeping on the target: the watermark per table and a log row per table run.
${META_TABLES_SQL.map((sql) => `${sql};`).join('\n')}

-- migrate:down
DROP TABLE ${EXECUTION_LOG_TABLE};
DROP TABLE ${WATERMARKS_TABLE};
`,
  '003_invoices.sql': `-- migrate:up
CREATE TABLE invoices (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  organization_id bigint NOT NULL,
  number text NOT NULL,
  total numeric(14, 2) NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz
);

-- migrate:down
DROP TABLE invoices;
`,
  '004_invoice_indexes.sql': `-- migrate:up
-- The invoice bot lists an organization's newest invoices and filters out soft-deleted ones.
-- On a busy production table write "-- migrate:up transaction:false" and CREATE INDEX CONCURRENTLY.
CREATE INDEX ix_invoices_org_created ON invoices (organization_id, created_at DESC);
CREATE INDEX ix_invoices_org_deleted ON invoices (organization_id, deleted_at);

-- migrate:down
DROP INDEX ix_invoices_org_deleted;
DROP INDEX ix_invoices_org_created;
`,
};

/** For a MySQL/MariaDB target named "reco": statements run one by one, each recorded, so a failure is exact. */
export const MYSQL_EXAMPLES: Record<string, string> = {
  '001_recommendations.sql': `-- migrate:up
CREATE TABLE recommendations (
  id BIGINT AUTO_INCREMENT PRIMARY KEY,
  user_id BIGINT NOT NULL,
  item_id BIGINT NOT NULL,
  score DOUBLE NOT NULL,
  algorithm VARCHAR(32) NOT NULL,
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE user_interactions (
  id BIGINT AUTO_INCREMENT PRIMARY KEY,
  user_id BIGINT NOT NULL,
  item_id BIGINT NOT NULL,
  kind VARCHAR(16) NOT NULL,
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- migrate:down
DROP TABLE user_interactions;
DROP TABLE recommendations;
`,
  '002_recommendation_indexes.sql': `-- migrate:up
-- The scaling plan's indexes: the hot lookups are "top recommendations for a user" and "recent interactions".
CREATE INDEX idx_recommendations_user_score ON recommendations (user_id, score DESC);
CREATE INDEX idx_recommendations_created ON recommendations (created_at);
CREATE INDEX idx_interactions_user_created ON user_interactions (user_id, created_at);
CREATE INDEX idx_interactions_item ON user_interactions (item_id);

-- migrate:down
DROP INDEX idx_interactions_item ON user_interactions;
DROP INDEX idx_interactions_user_created ON user_interactions;
DROP INDEX idx_recommendations_created ON recommendations;
DROP INDEX idx_recommendations_user_score ON recommendations;
`,
};
