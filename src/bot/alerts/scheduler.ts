import type { AlertEngine } from './engine.js';

/**
 * Runs a round of the alert engine after `firstDelayMs`, then `intervalMs` after each round ends (rounds never
 * overlap). The returned function stops it: no round starts after that (`engine.settle()` waits for one under way).
 */
export function scheduleAlerts(engine: AlertEngine, options: { firstDelayMs: number; intervalMs: number }): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const next = (delayMs: number) => {
    if (stopped) return;
    timer = setTimeout(() => void engine.check().finally(() => next(options.intervalMs)), delayMs);
  };
  next(options.firstDelayMs);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
