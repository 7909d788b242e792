import type { PipelineKind, PipelineRunner } from './types.js';

/**
 * The runner of each pipeline kind, imported only when a pipeline of that kind runs. The Spotify pipeline and the
 * warehouse → database sync each add their line.
 */
export const PIPELINE_RUNNERS: Partial<Record<PipelineKind, () => Promise<PipelineRunner>>> = {
  spotify: async () => (await import('./spotify/index.js')).spotifyRunner,
  sync: async () => (await import('./sync/runner.js')).runSyncPipeline,
};
