/**
 * The seeds' real migrations, shipped in the demo workspace: the dashboards' tables and the ETL state tables (the
 * "Pulso" sync), the invoice bot's indexes for PostgreSQL, and the recommendation service's MySQL indexes with their
 * rollback. `opsctl demo` applies the PostgreSQL ones to the embedded PGlite target.
 */
export const POSTGRES_EXAMPLES: Record<string, string> = {
  '001_dashboard_tables.sql': `-- migrate:up
-- The dashboards' tables, keyed as the incremental sync upserts them.
CREATE TABLE dashboard_data (
  fecha_foto date NOT NULL,
  archivo text NOT NULL,
  cartera text NOT NULL,
  servicio text NOT NULL,
  gestiones integer NOT NULL DEFAULT 0,
  monto numeric(14, 2),
  PRIMARY KEY (fecha_foto, archivo, cartera, servicio)
);
CREATE TABLE evolution_data (
  fecha_foto date NOT NULL,
  archivo text NOT NULL,
  valor numeric(14, 2),
  PRIMARY KEY (fecha_foto, archivo)
);
CREATE TABLE assignment_data (
  periodo text NOT NULL,
  archivo text NOT NULL,
  cartera text NOT NULL,
  cuentas integer NOT NULL DEFAULT 0,
  PRIMARY KEY (periodo, archivo, cartera)
);
CREATE TABLE operation_data (
  fecha_foto date NOT NULL,
  hora smallint NOT NULL,
  canal text NOT NULL,
  archivo text NOT NULL,
  llamadas integer NOT NULL DEFAULT 0,
  PRIMARY KEY (fecha_foto, hora, canal, archivo)
);
CREATE TABLE productivity_data (
  fecha_foto date NOT NULL,
  correo_agente text NOT NULL,
  archivo text NOT NULL,
  gestiones integer NOT NULL DEFAULT 0,
  PRIMARY KEY (fecha_foto, correo_agente, archivo)
);

-- migrate:down
DROP TABLE productivity_data;
DROP TABLE operation_data;
DROP TABLE assignment_data;
DROP TABLE evolution_data;
DROP TABLE dashboard_data;
`,
  '002_etl_state.sql': `-- migrate:up
CREATE TABLE etl_watermarks (
  table_name text PRIMARY KEY,
  last_value timestamptz,
  last_run_at timestamptz,
  rows_synced bigint NOT NULL DEFAULT 0
);
CREATE TABLE etl_execution_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  table_name text NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  status text NOT NULL CHECK (status IN ('running', 'success', 'failed')),
  rows_processed bigint NOT NULL DEFAULT 0,
  error_message text
);
CREATE INDEX ix_etl_execution_log_table_started ON etl_execution_log (table_name, started_at DESC);

-- migrate:down
DROP TABLE etl_execution_log;
DROP TABLE etl_watermarks;
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
