/**
 * Minimum server versions opsctl supports, from the seeds' pre-deployment checks (MySQL ≥ 5.7 or MariaDB ≥ 10.2 for
 * the recommendation service; PostgreSQL 12 is the oldest release still receiving fixes when this was written, and
 * the oldest TimescaleDB 2 supports).
 */
export const MINIMUM_VERSIONS: Record<string, string> = {
  MySQL: '5.7',
  MariaDB: '10.2',
  PostgreSQL: '12',
};

export interface VersionVerdict {
  product: string;
  version: string;
  minimum?: string;
  ok: boolean;
}

/** Reads "PostgreSQL 15.20", "MariaDB 10.11.19", "MySQL 8.0.36", "PGlite (PostgreSQL 18.0)" as printed by the targets. */
export function judgeVersion(printed: string): VersionVerdict | undefined {
  const match = /(PostgreSQL|MariaDB|MySQL)\s+(\d+(?:\.\d+)*)/.exec(printed);
  if (!match) return undefined;
  const [, product, version] = match as unknown as [string, string, string];
  const minimum = MINIMUM_VERSIONS[product];
  return {
    product,
    version,
    ...(minimum ? { minimum } : {}),
    ok: minimum ? compareVersions(version, minimum) >= 0 : true,
  };
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}
