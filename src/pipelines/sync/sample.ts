/**
 * The seeds' five dashboard tables ("Pulso"), as sync config, and a seeded DuckDB warehouse to sync them from that
 * keeps changing between runs: late rows inside the lookback window, corrections to recent rows, and a correction to
 * an old row outside the window (which only `--force` picks up). `opsctl demo` and the tests use it; production
 * config never does.
 */
export const PULSO_SCHEMA = 'pulso';

export const PULSO_TABLES = {
  dashboard_data: {
    source: { table: 'pulso.dashboard_data' },
    columns: {
      fecha_foto: 'date',
      archivo: 'text',
      cartera: 'text',
      servicio: 'text',
      cuentas: 'integer',
      monto_deuda: 'numeric',
      monto_pagado: 'numeric',
      actualizado_en: 'timestamptz',
    },
    primary_key: ['fecha_foto', 'archivo', 'cartera', 'servicio'],
    incremental_column: 'fecha_foto',
    lookback_days: 7,
    max_lag: '2d',
  },
  evolution_data: {
    source: { table: 'pulso.evolution_data' },
    columns: {
      fecha_foto: 'date',
      archivo: 'text',
      cuentas: 'integer',
      gestionadas: 'integer',
      contactabilidad: 'double precision',
    },
    primary_key: ['fecha_foto', 'archivo'],
    incremental_column: 'fecha_foto',
    lookback_days: 3,
    max_lag: '2d',
  },
  assignment_data: {
    source: { table: 'pulso.assignment_data' },
    columns: {
      periodo: 'date',
      archivo: 'text',
      cartera: 'text',
      cuentas_asignadas: 'integer',
      monto_asignado: 'numeric',
    },
    primary_key: ['periodo', 'archivo', 'cartera'],
    incremental_column: 'periodo',
    lookback_days: 31,
    max_lag: '35d',
  },
  operation_data: {
    source: { table: 'pulso.operation_data' },
    columns: {
      fecha_foto: 'date',
      hora: 'integer',
      canal: 'text',
      archivo: 'text',
      llamadas: 'integer',
      contactos: 'integer',
      promesas: 'integer',
    },
    primary_key: ['fecha_foto', 'hora', 'canal', 'archivo'],
    incremental_column: 'fecha_foto',
    lookback_days: 2,
    max_lag: '1d',
    timescale: { chunk_interval: '1 day', retention: '1 year' },
  },
  productivity_data: {
    source: { table: 'pulso.productivity_data' },
    columns: {
      fecha_foto: 'date',
      correo_agente: 'text',
      archivo: 'text',
      gestiones: 'integer',
      promesas: 'integer',
      monto_prometido: 'numeric',
    },
    primary_key: ['fecha_foto', 'correo_agente', 'archivo'],
    incremental_column: 'fecha_foto',
    lookback_days: 7,
    max_lag: '2d',
  },
} as const;

const ARCHIVOS = "(VALUES ('ARCH-01'), ('ARCH-02'), ('ARCH-03')) a(archivo)";
const CARTERAS = "(VALUES ('movil'), ('hogar'), ('empresas')) c(cartera)";
const h = (expr: string, mod: number) => `CAST(hash(${expr}) % ${mod} AS INTEGER)`;

/** Statements that (re)create the source tables with data up to `today` (DuckDB SQL). */
export function seedSql(today: string): string[] {
  const day = (n: string) => `(DATE '${today}' - CAST(${n} AS INTEGER))`;
  return [
    `CREATE SCHEMA IF NOT EXISTS ${PULSO_SCHEMA}`,
    `CREATE OR REPLACE TABLE ${PULSO_SCHEMA}.dashboard_data AS
     SELECT ${day('d')} AS fecha_foto, archivo, cartera, servicio,
       ${h('d || archivo || cartera || servicio', 500)} + 10 AS cuentas,
       CAST(${h("'m' || d || archivo || cartera || servicio", 100000)} AS DECIMAL(14,2)) / 10 AS monto_deuda,
       CAST(${h("'p' || d || archivo || cartera || servicio", 50000)} AS DECIMAL(14,2)) / 10 AS monto_pagado,
       CAST(${day('d')} AS TIMESTAMPTZ) + INTERVAL 6 HOUR AS actualizado_en
     FROM range(0, 45) t(d), ${ARCHIVOS}, ${CARTERAS}, (VALUES ('cobranza'), ('retencion')) s(servicio)`,
    `CREATE OR REPLACE TABLE ${PULSO_SCHEMA}.evolution_data AS
     SELECT ${day('d')} AS fecha_foto, archivo, ${h('d || archivo', 900)} + 100 AS cuentas, ${h("'g' || d || archivo", 100)} AS gestionadas,
       round(${h("'c' || d || archivo", 1000)} / 1000.0, 3) AS contactabilidad
     FROM range(0, 45) t(d), ${ARCHIVOS}`,
    `CREATE OR REPLACE TABLE ${PULSO_SCHEMA}.assignment_data AS
     SELECT CAST(date_trunc('month', DATE '${today}' - (m * INTERVAL 1 MONTH)) AS DATE) AS periodo, archivo, cartera,
       ${h('m || archivo || cartera', 2000)} + 50 AS cuentas_asignadas, CAST(${h("'a' || m || archivo || cartera", 1000000)} AS DECIMAL(14,2)) AS monto_asignado
     FROM range(0, 4) t(m), ${ARCHIVOS}, ${CARTERAS}`,
    `CREATE OR REPLACE TABLE ${PULSO_SCHEMA}.operation_data AS
     SELECT ${day('d')} AS fecha_foto, CAST(hora AS INTEGER) AS hora, canal, archivo,
       ${h('d || hora || canal || archivo', 300)} AS llamadas, ${h("'c' || d || hora || canal || archivo", 100)} AS contactos, ${h("'p' || d || hora || canal || archivo", 20)} AS promesas
     FROM range(0, 10) t(d), range(8, 20) hh(hora), (VALUES ('voz'), ('whatsapp'), ('sms')) k(canal), ${ARCHIVOS}`,
    `CREATE OR REPLACE TABLE ${PULSO_SCHEMA}.productivity_data AS
     SELECT ${day('d')} AS fecha_foto, 'agente' || g || '@pulso.example' AS correo_agente, archivo,
       ${h('d || g || archivo', 120)} AS gestiones, ${h("'p' || d || g || archivo", 15)} AS promesas, CAST(${h("'m' || d || g || archivo", 90000)} AS DECIMAL(14,2)) / 10 AS monto_prometido
     FROM range(0, 30) t(d), range(1, 9) gg(g), ${ARCHIVOS}`,
  ];
}

/**
 * What changed at the source since the last run, generation `n` (1, 2, …): a late file for a day inside every
 * lookback, corrections to yesterday's figures, and a correction 20 days back that a normal run leaves alone.
 */
export function advanceSql(today: string, n: number): string[] {
  const day = (k: number) => `(DATE '${today}' - ${k})`;
  return [
    `DELETE FROM ${PULSO_SCHEMA}.dashboard_data WHERE archivo = 'ARCH-LATE-${n}'`,
    `INSERT INTO ${PULSO_SCHEMA}.dashboard_data
     SELECT ${day(1)}, 'ARCH-LATE-${n}', cartera, 'cobranza', 10 * ${n}, 100.50 * ${n}, 10.25 * ${n}, now() FROM ${CARTERAS}`,
    `UPDATE ${PULSO_SCHEMA}.dashboard_data SET monto_pagado = monto_pagado + ${n} * 7.5, actualizado_en = now() WHERE fecha_foto = ${day(1)} AND archivo = 'ARCH-01'`,
    `UPDATE ${PULSO_SCHEMA}.dashboard_data SET monto_deuda = monto_deuda + ${n}, actualizado_en = now() WHERE fecha_foto = ${day(20)} AND archivo = 'ARCH-02'`,
    `UPDATE ${PULSO_SCHEMA}.evolution_data SET gestionadas = gestionadas + ${n} WHERE fecha_foto = ${day(1)}`,
    `DELETE FROM ${PULSO_SCHEMA}.operation_data WHERE fecha_foto = ${day(0)} AND hora = 20 + ${n % 3} AND canal = 'voz'`,
    `INSERT INTO ${PULSO_SCHEMA}.operation_data SELECT ${day(0)}, 20 + ${n % 3}, 'voz', archivo, 5 * ${n}, ${n}, 0 FROM ${ARCHIVOS}`,
    `UPDATE ${PULSO_SCHEMA}.productivity_data SET promesas = promesas + 1 WHERE fecha_foto = ${day(3)} AND correo_agente = 'agente1@pulso.example'`,
  ];
}
