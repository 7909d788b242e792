import type { OperationContext } from '../operation.js';

/**
 * One capability's part of `opsctl demo`: what it adds to the demo workspace's config, and what it runs once on the
 * embedded engines. A step returns a one-line summary, or throws.
 */
export interface DemoStep {
  name: string;
  /** Adds this capability's settings to the workspace config (opsctl.config.json in OPSCTL_HOME). */
  configure?(workspace: Record<string, unknown>): void;
  run(ctx: OperationContext): Promise<string>;
  /**
   * Starts something that runs for the whole demo (the demo's HTTP service, so the overview finds it up); called
   * before the first step, and what it returns is called after the last.
   */
  start?(ctx: OperationContext): Promise<() => Promise<void>>;
}
