import { existsSync } from 'node:fs';
import { z } from 'zod';
import { listBackups } from '../../src/backups/catalog.js';
import { defineOperation } from '../operation.js';

export interface TargetFreshness {
  target: string;
  engine: string;
  /** The newest backup, verified or not. */
  newestAt: string | null;
  newestVerifiedId: string | null;
  /** When the newest verified backup was taken (its data's age, not the drill's). */
  newestVerifiedAt: string | null;
  /** Age of the newest verified backup; null when there is none. */
  ageSeconds: number | null;
  ageHours: number | null;
  maxAgeHours: number;
  /** No verified backup, or the newest is older than maxAgeHours. */
  stale: boolean;
  /** A PGlite target whose data directory does not exist yet: nothing to back up, never stale. */
  absent: boolean;
  reason: string;
}

export interface BackupFreshnessResult {
  ok: boolean;
  maxAgeHours: number;
  checkedAt: string;
  targets: TargetFreshness[];
}

/** The age of the newest verified backup of every configured target, for `opsctl validate` and the bot's alerts. */
export const backupFreshness = defineOperation({
  name: 'backup.freshness',
  summary: 'Age of the newest verified backup per target (fails past backups.maxAgeHours)',
  input: z.object({
    target: z.string().min(1).optional(),
    maxAgeHours: z.number().positive().optional(),
    asOf: z.iso.datetime({ offset: true }).optional(),
  }),
  async run(ctx, input): Promise<BackupFreshnessResult> {
    const maxAgeHours = input.maxAgeHours ?? ctx.config.backups.maxAgeHours;
    const now = input.asOf ? new Date(input.asOf) : new Date();
    const all = await listBackups(await ctx.state(), input.target ? { target: input.target } : {});
    const names = input.target ? [input.target] : Object.keys(ctx.config.targets);
    const targets = names.map((target): TargetFreshness => {
      const cfg = ctx.config.targets[target];
      const mine = all.filter((b) => b.target === target);
      const verified = mine.find((b) => b.verified);
      const absent = cfg?.engine === 'pglite' && !!cfg.path && !existsSync(cfg.path) && mine.length === 0;
      const ageSeconds = verified
        ? Math.max(0, (now.getTime() - new Date(verified.finishedAt).getTime()) / 1000)
        : null;
      const ageHours = ageSeconds === null ? null : Math.round((ageSeconds / 3600) * 10) / 10;
      const stale = !absent && (ageSeconds === null || ageSeconds > maxAgeHours * 3600);
      const reason = absent
        ? 'PGlite data directory absent: nothing to back up yet'
        : !verified
          ? mine.length
            ? `${mine.length} backup(s), none verified: run \`opsctl backup verify ${target}\``
            : 'no backup in the catalog'
          : `newest verified backup ${verified.id} is ${ageHours}h old${stale ? `, over the ${maxAgeHours}h limit` : ''}`;
      return {
        target,
        engine: cfg?.engine ?? mine[0]?.engine ?? 'unknown',
        newestAt: mine[0]?.finishedAt ?? null,
        newestVerifiedId: verified?.id ?? null,
        newestVerifiedAt: verified?.finishedAt ?? null,
        ageSeconds: ageSeconds === null ? null : Math.round(ageSeconds),
        ageHours,
        maxAgeHours,
        stale,
        absent,
        reason,
      };
    });
    return { ok: targets.every((t) => !t.stale), maxAgeHours, checkedAt: now.toISOString(), targets };
  },
});
