import { useState } from 'react';
import type { Config } from '../../src/config/load.js';

/** What a pane asks before an action the operation itself does not confirm (migrate up, a sync, a load test). */
export interface GateQuestion {
  /** What will happen, in one line. */
  action: string;
  /** A production target's name, to be typed (as `d` asks on production). */
  typed?: string | undefined;
  confirmLabel: string;
  /** Quick dialogs (not destructive: a load test) start on the confirm button and take y. */
  quick?: boolean;
  go: () => void;
}

/**
 * A confirmation the console asks on its own, for actions that change a production target but whose operation has no
 * confirmation step (migrate up, sync run: scripts and cron run them unattended, so the CLI does not ask). The pane
 * renders `asking` with the Confirm dialog; only a yes runs `go`.
 */
export function useConfirmGate() {
  const [asking, setAsking] = useState<GateQuestion>();
  return {
    asking,
    ask: (question: GateQuestion) => setAsking(question),
    answer: (yes: boolean) => {
      const question = asking;
      setAsking(undefined);
      if (yes) question?.go();
    },
  };
}

/** The target's name when it is a production target (its name must be typed before the console changes it). */
export function productionName(config: Config, target: string | undefined): string | undefined {
  return target !== undefined && config.targets[target]?.production === true ? target : undefined;
}
