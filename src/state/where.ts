/** The WHERE clause of a list query: its optional conditions AND-joined, with their bound values in order. */
export class Where {
  private readonly clauses: string[] = [];
  readonly params: unknown[] = [];

  add(condition: string, ...params: unknown[]): this {
    this.clauses.push(condition);
    this.params.push(...params);
    return this;
  }

  get sql(): string {
    return this.clauses.length ? `WHERE ${this.clauses.join(' AND ')}` : '';
  }
}

/** The filter the execution log and the quarantine are listed by: one run, one pipeline, one table. */
export function whereRunPipelineTable(filter: { runId?: number; pipeline?: string; table?: string }): Where {
  const where = new Where();
  if (filter.runId !== undefined) where.add('run_id = ?', filter.runId);
  if (filter.pipeline) where.add('pipeline = ?', filter.pipeline);
  if (filter.table) where.add('table_name = ?', filter.table);
  return where;
}
