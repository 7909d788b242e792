import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfig } from '../src/config/load.js';
import { createSpotifyExtractor } from '../src/spotify/index.js';
import { makeLibrary, startSpotifyFake, type SpotifyFake, type SpotifyFakeOptions } from './fakes/spotify.js';
import { BIN, cliHome, runCli } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';

const fakes: SpotifyFake[] = [];
test.after.each(async () => {
  while (fakes.length) await fakes.pop()!.close();
});

async function fake(options: Partial<SpotifyFakeOptions> = {}) {
  const f = await startSpotifyFake({
    library: makeLibrary({ playlistSizes: [2], trackPool: 4, artistPool: 2 }),
    ...options,
  });
  fakes.push(f);
  return f;
}

const envFor = (f: SpotifyFake, home: string): Record<string, string> => ({
  ...cliHome(home),
  SPOTIFY_CLIENT_ID: 'fake-client-id',
  SPOTIFY_CLIENT_SECRET: 'fake-client-secret',
  SPOTIFY_ACCOUNTS_BASE_URL: f.url,
  SPOTIFY_API_BASE_URL: f.url,
});

/** Runs `opsctl spotify login` and plays the browser: once the consent URL is printed, `browser` gets it. */
function login(args: string[], env: Record<string, string>, browser: (url: string) => Promise<void>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'spotify', 'login', '--no-open', '--port', '0', ...args], {
      cwd: env.OPSCTL_HOME,
      env: { PATH: process.env.PATH ?? '', HOME: env.OPSCTL_HOME!, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let browsed = false;
    child.stdout.on('data', (c) => {
      stdout += c;
      const url = stdout.match(/^\s+(http:\/\/127\.0\.0\.1:\d+\/authorize\?\S+)$/m)?.[1];
      if (url && !browsed) {
        browsed = true;
        browser(url).catch(reject);
      }
    });
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** What a browser does: open the consent URL, follow the redirect to the loopback callback. */
async function approve(url: string): Promise<Response> {
  const consent = await fetch(url, { redirect: 'manual' });
  assert.is(consent.status, 302);
  return fetch(consent.headers.get('location')!);
}

test('login end to end: consent URL, loopback callback with state, code exchange, token stored 0600 and used by config', async () => {
  const f = await fake();
  const home = tempDir('opsctl-login-');
  let page = '';
  let authorizeUrl: URL | undefined;
  const r = await login([], envFor(f, home), async (url) => {
    authorizeUrl = new URL(url);
    const res = await approve(url);
    assert.is(res.status, 200);
    page = await res.text();
  });
  assert.is(r.code, 0, r.stderr);
  assert.match(page, /connected to Spotify/);
  assert.is(authorizeUrl!.searchParams.get('response_type'), 'code');
  assert.match(authorizeUrl!.searchParams.get('redirect_uri')!, /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
  assert.match(authorizeUrl!.searchParams.get('scope')!, /user-read-recently-played/);
  assert.match(authorizeUrl!.searchParams.get('state')!, /^[0-9a-f]{32}$/);
  const exchange = f.requests.find((q) => q.grantType === 'authorization_code');
  assert.is(exchange?.status, 200, 'the fake accepted the code with the same redirect_uri');

  const file = join(home, 'spotify-token.json');
  assert.is(statSync(file).mode & 0o777, 0o600);
  const stored = JSON.parse(readFileSync(file, 'utf8')) as { refreshToken: string; userId: string };
  assert.ok(f.refreshTokens.has(stored.refreshToken));
  assert.is(stored.userId, 'listener');
  assert.match(r.stdout, /logged in as A Listener \(listener\)/);
  assert.not.ok(r.stdout.includes(stored.refreshToken), 'the token is not printed');

  // SPOTIFY_REFRESH_TOKEN unset: config loading picks up the stored token, and it works against the fake.
  const loaded = loadConfig({ cwd: home, env: envFor(f, home) });
  assert.is(loaded.config.spotify.refreshToken, stored.refreshToken);
  assert.match(loaded.sources['spotify.refreshToken']!, /^file:.*spotify-token\.json$/);
  const extract = await createSpotifyExtractor(loaded.config, 'api');
  const result = await extract({
    signal: new AbortController().signal,
    recentlyPlayedAfter: null,
    limits: { playlists: 5, tracksPerPlaylist: 5, recentlyPlayed: 5, topPerRange: 5 },
  });
  assert.is(result.tables.users[0]!.user_id, 'listener');
  // The environment wins over the stored token.
  assert.is(
    loadConfig({ cwd: home, env: { ...envFor(f, home), SPOTIFY_REFRESH_TOKEN: 'from-env' } }).config.spotify
      .refreshToken,
    'from-env',
  );
});

test('--print prints the token for SPOTIFY_REFRESH_TOKEN and stores nothing', async () => {
  const f = await fake();
  const home = tempDir('opsctl-login-');
  const r = await login(['--print'], envFor(f, home), async (url) => void (await approve(url)));
  assert.is(r.code, 0, r.stderr);
  const token = r.stdout.match(/^SPOTIFY_REFRESH_TOKEN=(\S+)$/m)?.[1];
  assert.ok(token && f.refreshTokens.has(token), r.stdout);
  assert.not.ok(existsSync(join(home, 'spotify-token.json')));
});

test('a callback with the wrong state is refused and the login fails', async () => {
  const f = await fake();
  const home = tempDir('opsctl-login-');
  let status = 0;
  const r = await login([], envFor(f, home), async (url) => {
    const redirect = new URL(new URL(url).searchParams.get('redirect_uri')!);
    redirect.searchParams.set('code', 'forged');
    redirect.searchParams.set('state', 'not-the-state');
    status = (await fetch(redirect)).status;
  });
  assert.is(status, 400);
  assert.is(r.code, 1);
  assert.match(r.stderr, /state parameter does not match/);
  assert.is(f.requests.filter((q) => q.grantType === 'authorization_code').length, 0, 'no exchange of a forged code');
  assert.not.ok(existsSync(join(home, 'spotify-token.json')));
});

test('a refused consent fails with what Spotify said', async () => {
  const f = await fake({ consent: 'deny' });
  const home = tempDir('opsctl-login-');
  const r = await login([], envFor(f, home), async (url) => void (await approve(url)));
  assert.is(r.code, 1);
  assert.match(r.stderr, /did not authorize opsctl: access_denied/);
});

test('no answer from the browser: a timeout with a clear message', async () => {
  const f = await fake();
  const home = tempDir('opsctl-login-');
  const r = await login(['--timeout', '1'], envFor(f, home), async () => {});
  assert.is(r.code, 1);
  assert.match(r.stderr, /no answer from the browser within 1 s/);
  assert.match(r.stderr, /--timeout/);
});

test('without client credentials: exit 2 naming the variables', async () => {
  const home = tempDir('opsctl-login-');
  const r = await runCli(['spotify', 'login', '--no-open', '--port', '0'], { cwd: home, env: cliHome(home) });
  assert.is(r.code, 2);
  assert.match(r.stderr, /SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET must be set/);
  const help = await runCli(['spotify', 'login', '--help']);
  assert.is(help.code, 0);
  assert.match(help.stdout, /--print/);
});

test.run();
