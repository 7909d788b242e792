import type { Dialect } from '../dialect.js';

/**
 * One forward-only change to the state store's schema. Ids are `<area>/<nnn>_<what>`; each area (core, etl, sync,
 * backups, …) owns its file under schema/, so capabilities add tables without touching each other.
 */
export interface StateMigration {
  id: string;
  up(d: Dialect): string;
}
