import { isOpsError } from '../../../src/errors.js';
import { latency, rate } from '../../../src/format.js';
import { lastRunByProfile } from '../../../src/loadtest/store.js';
import { fail, pass, warn, type CheckGroup } from '../types.js';

/**
 * Load tests before a deploy: the last run of each profile marked `gate: true` must have passed its thresholds. A gated
 * profile that never ran is a warning (nothing is known yet), a failed or threshold-less last run fails.
 */
export const loadtestsChecks: CheckGroup = {
  id: 'loadtests',
  title: 'Load tests',
  async run({ ctx, config, emit }) {
    const gated = Object.entries(config.loadtest.profiles).filter(([, p]) => p.gate);
    if (gated.length === 0) {
      emit(pass('gated profiles', 'no load-test profile is marked gate: true'));
      return;
    }
    let store;
    try {
      store = await ctx.state();
    } catch (error) {
      emit(
        fail(
          'state store',
          (error as Error).message,
          isOpsError(error) && error.hint ? error.hint : 'Check state.url.',
        ),
      );
      return;
    }
    for (const [name, profile] of gated) {
      const check = `profile ${name}`;
      try {
        const run = await lastRunByProfile(store, name);
        if (!run) {
          emit(
            warn(
              check,
              'never ran: its thresholds are unchecked',
              `Run \`opsctl loadtest run --profile ${name}\` before the deploy.`,
            ),
          );
        } else if (profile.thresholds.length === 0 && !run.thresholds.some((t) => !t.implicit)) {
          emit(
            fail(
              check,
              `run ${run.id} had no thresholds to pass`,
              `Give loadtest.profiles.${name}.thresholds (e.g. ["p95<150ms", "non2xx=0"]).`,
            ),
          );
        } else if (!run.passed) {
          const breached = run.thresholds.filter((t) => !t.passed).map((t) => `${t.text} (${t.message})`);
          emit(
            fail(
              check,
              `last run ${run.id} (${run.startedAt.slice(0, 16).replace('T', ' ')}) breached ${breached.join(', ')}`,
              `Fix the service, then \`opsctl loadtest run --profile ${name}\` again; \`opsctl loadtest compare ${run.id}\` shows what moved.`,
            ),
          );
        } else {
          emit(
            pass(
              check,
              `last run ${run.id} passed ${run.thresholds
                .filter((t) => !t.implicit)
                .map((t) => t.text)
                .join(', ')}: ${rate(run.rps)}, p95 ${latency(run.latency.p95)}`,
            ),
          );
        }
      } catch (error) {
        emit(
          fail(
            check,
            (error as Error).message,
            isOpsError(error) && error.hint ? error.hint : 'Check the state store.',
          ),
        );
      }
    }
  },
};
