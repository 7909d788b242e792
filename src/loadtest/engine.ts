import { runClosed } from './closed-model.js';
import { runOpen } from './open-model.js';
import type { EnginePlan, EngineResult } from './types.js';

/**
 * opsctl's load generator on undici: the closed model (closed-model.ts) or the open model (open-model.ts), which share
 * the run's bookkeeping (run-core.ts), the request path (dispatch.ts) and the recorder (recorder.ts). Every run is
 * bounded by a request count or a duration.
 */
export function runLoad(plan: EnginePlan): Promise<EngineResult> {
  const { model } = plan;
  return model.kind === 'closed' ? runClosed({ ...plan, model }) : runOpen({ ...plan, model });
}
