import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { CONFIG_FILE_NAME, loadConfig } from '../../src/config/load.js';
import { errorMessage, OperationFailed, throwIfAborted, UsageError } from '../../src/errors.js';
import { finishRun, startRun } from '../../src/state/runs.js';
import { defineOperation } from '../operation.js';
import { createRuntime } from '../runtime.js';
import { DEMO_STEPS } from './steps/index.js';

export const DEMO_MARKER = 'Demo workspace written by `opsctl demo`; edit freely or delete it to start again.';

export interface DemoStepResult {
  name: string;
  status: 'ok' | 'failed';
  detail: string;
  durationMs: number;
}

export interface DemoResult {
  home: string;
  configFile: string;
  runId: number;
  steps: DemoStepResult[];
}

/**
 * Builds a demo workspace on the embedded defaults (SQLite state, DuckDB warehouse, PGlite target "local") inside
 * OPSCTL_HOME and runs every capability once. It reads no config file and none of opsctl's environment variables but
 * OPSCTL_HOME, so it cannot touch anything outside that folder.
 */
export const demo = defineOperation({
  name: 'demo',
  summary: 'Create a demo workspace in OPSCTL_HOME and run every capability once',
  input: z.object({}),
  async run(ctx): Promise<DemoResult> {
    const home = ctx.config.home;
    const configFile = join(home, CONFIG_FILE_NAME);
    const workspace = buildWorkspace();
    writeWorkspace(configFile, workspace);

    const loaded = loadConfig({ fileConfig: workspace, isolated: true, env: { OPSCTL_HOME: home }, cwd: home });
    const demoCtx = createRuntime({
      loaded: { ...loaded, configFile },
      log: ctx.log,
      trigger: 'demo',
      signal: ctx.signal,
      progress: ctx.progress,
    });
    const stops: Array<() => Promise<void>> = [];
    try {
      for (const step of DEMO_STEPS) if (step.start) stops.push(await step.start(demoCtx));
      const store = await demoCtx.state();
      const run = await startRun(store, { operation: 'demo', trigger: 'demo' });
      const steps: DemoStepResult[] = [];
      for (const [i, step] of DEMO_STEPS.entries()) {
        throwIfAborted(ctx.signal);
        ctx.progress({ phase: step.name, done: i, total: DEMO_STEPS.length });
        steps.push(await runStep(step.name, () => step.run(demoCtx)));
        ctx.log.info(`demo: ${step.name}`, { status: steps.at(-1)!.status });
      }
      ctx.progress({ phase: 'done', done: DEMO_STEPS.length, total: DEMO_STEPS.length });
      const failed = steps.filter((s) => s.status === 'failed');
      await finishRun(store, run.id, {
        status: failed.length ? 'failed' : 'succeeded',
        summary: { steps },
        error: failed.length ? failed.map((s) => `${s.name}: ${s.detail}`).join('; ') : null,
      });
      const result = { home, configFile, runId: run.id, steps };
      if (failed.length) {
        throw new OperationFailed(
          `demo: ${failed.length} of ${steps.length} steps failed (${failed.map((s) => s.name).join(', ')})`,
          {
            hint: 'Each failed step names its reason above; `opsctl status` shows which component is down.',
            details: { result },
          },
        );
      }
      return result;
    } finally {
      for (const stop of stops) await stop().catch(() => undefined);
      await demoCtx.close();
    }
  },
});

async function runStep(name: string, fn: () => Promise<string>): Promise<DemoStepResult> {
  const started = performance.now();
  try {
    const detail = await fn();
    return { name, status: 'ok', detail, durationMs: Math.round(performance.now() - started) };
  } catch (error) {
    return { name, status: 'failed', detail: errorMessage(error), durationMs: Math.round(performance.now() - started) };
  }
}

export function buildWorkspace(): Record<string, unknown> {
  const workspace: Record<string, unknown> = {
    $comment: DEMO_MARKER,
    // Relative to this file: however the config is found later (`-c .opsctl/opsctl.config.json` from elsewhere, a
    // copy in $OPSCTL_CONFIG), the workspace's data stays beside it instead of the XDG state directory's.
    home: '.',
    environment: 'development',
    migrations: { dir: 'migrations' },
  };
  for (const step of DEMO_STEPS) step.configure?.(workspace);
  return workspace;
}

function writeWorkspace(path: string, workspace: Record<string, unknown>): void {
  if (existsSync(path)) {
    let existing: { $comment?: unknown } = {};
    try {
      existing = JSON.parse(readFileSync(path, 'utf8')) as { $comment?: unknown };
    } catch {
      /* unreadable: treat as not ours */
    }
    if (existing.$comment !== DEMO_MARKER) {
      throw new UsageError(`${path} exists and was not written by opsctl demo`, {
        hint: 'Run the demo with another OPSCTL_HOME (e.g. OPSCTL_HOME=./.opsctl-demo opsctl demo) so it does not touch this workspace.',
      });
    }
  }
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, `${JSON.stringify(workspace, null, 2)}\n`);
}
