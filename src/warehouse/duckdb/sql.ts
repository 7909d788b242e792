import type { DuckDBType, DuckDBValue } from '@duckdb/node-api';
import { BIGINT, BOOLEAN, DATE, DOUBLE, DuckDBDateValue, DuckDBTimestampValue, TIMESTAMP, VARCHAR } from './api.js';
import { quotePg } from '../../db/identifiers.js';
import { UsageError } from '../../errors.js';
import type { ColumnDef, ColumnType, TableDef } from '../tables.js';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** Holds a TableDef's table or column name to the warehouse naming rule, then quotes it for DuckDB. */
export function ident(name: string): string {
  if (!IDENTIFIER.test(name)) {
    throw new UsageError(`"${name}" is not a valid warehouse identifier`, {
      hint: 'Table and column names are letters, digits and _, starting with a letter or _.',
    });
  }
  return quotePg(name);
}

/** The DuckDB column type of a TableDef type. JSON is stored as text so both warehouses hand back the same string. */
export const SQL_TYPE: Record<ColumnType, string> = {
  STRING: 'VARCHAR',
  INT64: 'BIGINT',
  FLOAT64: 'DOUBLE',
  BOOL: 'BOOLEAN',
  TIMESTAMP: 'TIMESTAMP',
  DATE: 'DATE',
  JSON: 'VARCHAR',
};

export const DUCK_TYPE: Record<ColumnType, DuckDBType> = {
  STRING: VARCHAR,
  INT64: BIGINT,
  FLOAT64: DOUBLE,
  BOOL: BOOLEAN,
  TIMESTAMP: TIMESTAMP,
  DATE: DATE,
  JSON: VARCHAR,
};

export function validateDef(def: TableDef): void {
  ident(def.name);
  const names = new Set(def.columns.map((c) => ident(c.name) && c.name));
  if (def.key.length === 0)
    throw new UsageError(`table ${def.name} has no key`, {
      hint: 'Every warehouse table declares the natural key its loads merge on.',
    });
  for (const k of def.key) {
    if (!names.has(k)) throw new UsageError(`table ${def.name}: key column ${k} is not one of its columns`);
  }
}

const MS_PER_DAY = 86_400_000;

function toEpochMs(value: unknown): number {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const plain = /^\d{4}-\d{2}-\d{2}$/.test(value)
      ? `${value}T00:00:00Z`
      : /[zZ]|[+-]\d{2}:?\d{2}$/.test(value)
        ? value
        : `${value.replace(' ', 'T')}Z`;
    return Date.parse(plain);
  }
  return Number.NaN;
}

/**
 * A JS value as the DuckDB value of `column`'s type, for the appender. Timestamps are UTC instants (ISO strings, Date
 * or epoch ms); dates are `YYYY-MM-DD`, a Date or an ISO timestamp (its UTC day). A value that does not fit throws
 * a UsageError naming the table, column and value.
 */
export function toDuckValue(table: string, column: ColumnDef, value: unknown): DuckDBValue {
  if (value === null || value === undefined) {
    if (column.required)
      throw new UsageError(`${table}.${column.name} is required but the row has no value`, {
        hint: 'Rows that fail their model are quarantined before loading; this is a bug in the transform.',
      });
    return null;
  }
  const bad = (): never => {
    throw new UsageError(`${table}.${column.name}: ${JSON.stringify(value)?.slice(0, 80)} is not a ${column.type}`, {
      hint: 'The transform must produce values of the column types in the table definition.',
    });
  };
  switch (column.type) {
    case 'STRING':
      return typeof value === 'string'
        ? value
        : typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint'
          ? String(value)
          : bad();
    case 'JSON':
      return typeof value === 'string' ? value : JSON.stringify(value);
    case 'INT64':
      if (typeof value === 'bigint') return value;
      if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
      if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
      return bad();
    case 'FLOAT64':
      if (typeof value === 'number') return value;
      if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
      return bad();
    case 'BOOL':
      if (typeof value === 'boolean') return value;
      return value === 'true' || value === 1 ? true : value === 'false' || value === 0 ? false : bad();
    case 'TIMESTAMP': {
      const ms = toEpochMs(value);
      return Number.isFinite(ms) ? new DuckDBTimestampValue(BigInt(Math.round(ms)) * 1000n) : bad();
    }
    case 'DATE': {
      const ms = toEpochMs(value);
      return Number.isFinite(ms) ? new DuckDBDateValue(Math.floor(ms / MS_PER_DAY)) : bad();
    }
  }
}
