export interface RetentionPolicy {
  keepLast: number;
  keepDaily: number;
  keepWeekly: number;
}

export interface RetentionCandidate {
  id: string;
  target: string;
  finishedAt: string;
  verified: boolean;
}

export interface RetentionDecision<T extends RetentionCandidate> {
  backup: T;
  keep: boolean;
  /** Why it is kept: `last 3`, `daily 2026-11-30`, `weekly 2026-W48`, `newest verified`; empty when it goes. */
  reasons: string[];
}

/** ISO-8601 week of a UTC date: `2026-W48`. */
export function isoWeek(iso: string): string {
  const d = new Date(iso);
  const day = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const dow = day.getUTCDay() || 7;
  day.setUTCDate(day.getUTCDate() + 4 - dow);
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((day.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${day.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

/**
 * Which backups a policy keeps, per target (as restic's forget): the newest `keepLast`; the newest of each of the last
 * `keepDaily` days that have a backup; the newest of each of the last `keepWeekly` ISO weeks that have one. A backup
 * kept by any rule stays. The newest verified backup of each target always stays: pruning never leaves a target
 * without a proven restore.
 */
export function applyRetention<T extends RetentionCandidate>(
  backups: T[],
  policy: RetentionPolicy,
): RetentionDecision<T>[] {
  const byTarget = new Map<string, T[]>();
  for (const b of backups) byTarget.set(b.target, [...(byTarget.get(b.target) ?? []), b]);
  const out: RetentionDecision<T>[] = [];
  for (const list of byTarget.values()) {
    const sorted = [...list].sort((a, b) =>
      a.finishedAt < b.finishedAt ? 1 : a.finishedAt > b.finishedAt ? -1 : a.id < b.id ? 1 : -1,
    );
    const reasons = new Map<string, string[]>(sorted.map((b) => [b.id, []]));
    sorted.slice(0, policy.keepLast).forEach((b, i) => reasons.get(b.id)!.push(`last ${i + 1}`));
    const bucket = (key: (b: T) => string, limit: number, label: string) => {
      const seen = new Set<string>();
      for (const b of sorted) {
        const k = key(b);
        if (seen.has(k)) continue;
        if (seen.size >= limit) break;
        seen.add(k);
        reasons.get(b.id)!.push(`${label} ${k}`);
      }
    };
    bucket((b) => b.finishedAt.slice(0, 10), policy.keepDaily, 'daily');
    bucket((b) => isoWeek(b.finishedAt), policy.keepWeekly, 'weekly');
    const newestVerified = sorted.find((b) => b.verified);
    if (newestVerified) reasons.get(newestVerified.id)!.push('newest verified');
    for (const b of sorted) out.push({ backup: b, keep: reasons.get(b.id)!.length > 0, reasons: reasons.get(b.id)! });
  }
  return out;
}
