import pg from 'pg';

/**
 * Type parsers for every pg connection opsctl opens: instants come back as ISO strings, int8 as numbers (row counts
 * and byte totals stay far below 2^53), JSON as text so callers parse it once, the same way for SQLite and PGlite.
 */
const OID = {
  int8: 20,
  numeric: 1700,
  json: 114,
  jsonb: 3802,
  timestamptz: 1184,
  timestamp: 1114,
  date: 1082,
} as const;

export const opsctlPgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    switch (oid) {
      case OID.int8:
        return (v: string) => Number(v);
      case OID.json:
      case OID.jsonb:
        return (v: string) => v;
      case OID.timestamptz:
        return (v: string) => new Date(v).toISOString();
      default:
        return pg.types.getTypeParser(oid, format);
    }
  },
};
