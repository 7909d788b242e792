export {
  createSpotifyRunner,
  spotifyRunner,
  CURSOR_TABLE,
  type SpotifyOutcome,
  type SpotifyRunnerDeps,
} from './run.js';
