import type { Dialect } from './dialect.js';

export type Row = Record<string, unknown>;

/** What repositories need: one SQL text for both engines, `?` placeholders, rows as plain objects. */
export interface SqlRunner {
  readonly dialect: Dialect;
  query<T = Row>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs a statement and returns the number of rows it changed. */
  run(sql: string, params?: unknown[]): Promise<number>;
  /** Runs a script of several statements (DDL), with no parameters. */
  execScript(sql: string): Promise<void>;
}

export interface TransactionOptions {
  /**
   * Serialises transactions that share this key across processes (PostgreSQL: a transaction-scoped advisory lock;
   * SQLite: every write transaction is already serialised by BEGIN IMMEDIATE).
   */
  lockKey?: string;
}

export interface StateStore extends SqlRunner {
  readonly kind: 'sqlite' | 'postgres';
  /** Where the store lives, fit for printing (no password). */
  readonly location: string;
  transaction<T>(fn: (tx: SqlRunner) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /** The engine's version string, for the Overview. */
  serverVersion(): Promise<string>;
  close(): Promise<void>;
}
