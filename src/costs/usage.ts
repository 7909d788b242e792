/** What a cost source reads: the raw usage, before pricing. Both BigQuery and DuckDB sources return this shape. */
export interface TableStorage {
  dataset: string;
  table: string;
  activeBytes: number;
  longTermBytes: number;
}

export interface DailyUsage {
  day: string;
  bytesBilled: number;
  bytesProcessed: number;
  jobs: number;
  cacheHits: number;
}

export interface UsageBreakdown {
  /** A principal (user or service account) or a label `key=value`. */
  key: string;
  bytesBilled: number;
  jobs: number;
}

export interface QueryJob {
  jobId: string;
  user: string;
  createdAt: string;
  bytesBilled: number;
  query: string;
  labels: Record<string, string>;
}

export interface RawUsage {
  storage: TableStorage[];
  /** Per day, from the first day of the window or of the month, whichever is earlier. */
  daily: DailyUsage[];
  byUser: UsageBreakdown[];
  byLabel: UsageBreakdown[];
  /** Bytes billed to jobs carrying app=opsctl, over the same days as `daily`. */
  opsctlBytesBilled: number;
  top: QueryJob[];
}
