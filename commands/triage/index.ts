import { z } from 'zod';
import { errorMessage, isOpsError } from '../../src/errors.js';
import { run } from '../catalog.js';
import { defineOperation } from '../operation.js';
import type { StatusResult } from '../status.js';
import { TRIAGE_SOURCES } from './sources.js';
import type { TriageItem } from './types.js';

export type { TriageItem, TriageKind, TriagePane, TriageSeverity } from './types.js';

export interface TriageResult extends StatusResult {
  /** Critical first, then warnings; within a severity, in source order, oldest first. */
  items: TriageItem[];
  critical: number;
  warning: number;
  /** Each source with how long it took; a source that could not be read is also a warning item. */
  sources: Array<{ name: string; ok: boolean; ms: number; error?: string }>;
}

const SOURCE_ORDER = new Map(TRIAGE_SOURCES.map((s, i) => [s.name, i]));

/**
 * "What is wrong now": the health registry's components plus every problem the state store and the other operations
 * know of, ranked critical / warning, each with since-when and the command that fixes or explains it. `opsctl status`,
 * the bot's /status and its alerts read this one result; the console's home board renders it.
 */
export const statusTriage = defineOperation({
  name: 'status.triage',
  summary: 'What needs attention now: failed pipelines, orphaned runs, lag, quarantine, costs, backups, migrations',
  input: z.object({
    timeoutMs: z.number().int().min(100).max(60_000).default(5_000),
    targets: z.array(z.string()).optional(),
    /** Open embedded PGlite targets instead of checking their files (see `status`). */
    deep: z.boolean().default(false),
  }),
  async run(ctx, input): Promise<TriageResult> {
    const status = await run('status', ctx, {
      timeoutMs: input.timeoutMs,
      deep: input.deep,
      ...(input.targets ? { targets: input.targets } : {}),
    });
    const now = new Date();
    const stateUp = status.components.some((c) => c.id === 'state' && c.status === 'up');
    const sources: TriageResult['sources'] = [];
    let done = 0;
    const found = await Promise.all(
      TRIAGE_SOURCES.map(async (source) => {
        const t0 = performance.now();
        try {
          // Without a state store only the components can be judged; its own item says it is down.
          const items =
            source.name === 'components' || stateUp
              ? await source.collect(ctx, { components: status.components, now })
              : [];
          sources.push({ name: source.name, ok: true, ms: Math.round(performance.now() - t0) });
          return items;
        } catch (error) {
          const message = errorMessage(error);
          sources.push({ name: source.name, ok: false, ms: Math.round(performance.now() - t0), error: message });
          return [
            {
              id: `source:${source.name}`,
              severity: 'warning',
              kind: 'source',
              pane: 'overview',
              subject: source.name,
              title: `could not check ${source.name}`,
              detail: isOpsError(error) && error.hint ? `${message} — ${error.hint}` : message,
              since: null,
              command: 'opsctl validate',
            } satisfies TriageItem,
          ];
        } finally {
          ctx.progress({ phase: 'triage', done: ++done, total: TRIAGE_SOURCES.length, note: source.name });
        }
      }),
    );
    const items = found.flat().sort(rank);
    sources.sort((a, b) => (SOURCE_ORDER.get(a.name) ?? 0) - (SOURCE_ORDER.get(b.name) ?? 0));
    return {
      ...status,
      items,
      critical: items.filter((i) => i.severity === 'critical').length,
      warning: items.filter((i) => i.severity === 'warning').length,
      sources,
      checkedAt: now.toISOString(),
    };
  },
});

const KIND_ORDER: TriageItem['kind'][] = [
  'component',
  'bot',
  'threshold',
  'run-failed',
  'backup',
  'migration',
  'loadtest',
  'cost',
  'watermark-lag',
  'run-orphaned',
  'quarantine',
  'source',
];

function rank(a: TriageItem, b: TriageItem): number {
  if (a.severity !== b.severity) return a.severity === 'critical' ? -1 : 1;
  const k = KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind);
  if (k !== 0) return k;
  return (a.since ?? '9').localeCompare(b.since ?? '9');
}
