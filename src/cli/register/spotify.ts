import type { Command } from 'commander';
import { action } from '../action.js';
import { finiteNumber } from '../args.js';

export function registerSpotify(program: Command): void {
  const spotify = program
    .command('spotify')
    .description('Spotify Web API access for the Spotify pipeline')
    .helpGroup('Pipelines:');
  spotify
    .command('login')
    .description('Authorize opsctl (authorization-code flow) and store the refresh token in $OPSCTL_HOME (mode 0600)')
    .option(
      '--port <n>',
      'loopback port of the redirect http://127.0.0.1:PORT/callback (default: spotify.redirectPort, 8888)',
    )
    .option('--timeout <seconds>', 'how long to wait for the browser', '300')
    .option('--print', 'print the refresh token (for SPOTIFY_REFRESH_TOKEN) instead of storing it')
    .option('--no-open', 'do not try to open a browser; just print the URL')
    .addHelpText(
      'after',
      `
Needs SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET of an app from developer.spotify.com/dashboard whose redirect URIs
include http://127.0.0.1:8888/callback (or the --port you pass). Open the printed URL in a browser on this machine
and approve; the token is stored in $OPSCTL_HOME/spotify-token.json and used when SPOTIFY_REFRESH_TOKEN is unset.

Examples:
  opsctl spotify login
  opsctl spotify login --no-open --port 9000 --timeout 120
  opsctl spotify login --print      # then: export SPOTIFY_REFRESH_TOKEN=…`,
    )
    .action(
      action({
        operation: 'spotify.login',
        input: (_a, o) => ({
          port: finiteNumber(o.port, '--port'),
          timeoutSeconds: finiteNumber(o.timeout, '--timeout'),
          print: Boolean(o.print),
          open: o.open !== false,
          logUrl: Boolean(o.json),
        }),
        renderItem(item, out) {
          if (!isAuthorizePrompt(item)) return;
          out.line('Open this URL in a browser and approve opsctl:');
          out.line(`  ${item.authorizeUrl}`);
          out.line(out.c.dim(`waiting for the redirect to ${item.redirectUri} (Ctrl-C to stop)`));
        },
        render(r, out) {
          out.line(`${out.c.green('logged in')} as ${r.displayName ?? '?'} (${r.userId ?? 'unknown id'})`);
          if (r.storedAt)
            out.line(`refresh token stored in ${r.storedAt} (mode 0600); used when SPOTIFY_REFRESH_TOKEN is unset`);
          else {
            out.line('refresh token (keep it secret):');
            out.line(`SPOTIFY_REFRESH_TOKEN=${r.refreshToken}`);
          }
          out.line(out.c.dim(`scopes: ${r.scope}`));
        },
      }),
    );
}

/** What `spotify.login` streams (progress.item) once its loopback server listens. */
function isAuthorizePrompt(item: unknown): item is { authorizeUrl: string; redirectUri: string } {
  return (
    typeof item === 'object' &&
    item !== null &&
    'authorizeUrl' in item &&
    typeof item.authorizeUrl === 'string' &&
    'redirectUri' in item &&
    typeof item.redirectUri === 'string'
  );
}
