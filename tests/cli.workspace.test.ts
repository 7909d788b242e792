// Issue 22 item 6: only `opsctl demo` creates a workspace. A command run where no config is found says where it
// looked and how to start, exits 2 and creates nothing; the embedded home of a config that does not set `home` is
// the XDG state directory (or the folder of a config found as $OPSCTL_HOME/opsctl.config.json).
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildWorkspace } from '../commands/demo/index.js';
import { loadConfig } from '../src/config/load.js';
import { runCli, stderrText } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';

/** An empty working directory and a private HOME and XDG tree, to see that nothing is created in any of them. */
function emptyPlace() {
  const root = tempDir('opsctl-noconf-');
  const dirs = { cwd: join(root, 'cwd'), home: join(root, 'home'), config: join(root, 'xdg-config') };
  for (const d of Object.values(dirs)) mkdirSync(d);
  // XDG_STATE_HOME empty: the state directory falls back to $HOME/.local/state, which must stay absent.
  const env = { HOME: dirs.home, XDG_CONFIG_HOME: dirs.config, XDG_STATE_HOME: '' };
  const untouched = () => {
    for (const d of Object.values(dirs)) assert.equal(readdirSync(d), [], `${d} stays empty`);
  };
  return { ...dirs, env, untouched };
}

const searched = (p: ReturnType<typeof emptyPlace>) => [
  join(p.cwd, 'opsctl.config.json'),
  join(p.cwd, '.opsctl', 'opsctl.config.json'),
  join(p.config, 'opsctl', 'opsctl.config.json'),
  '/etc/opsctl/opsctl.config.json',
];

test('with no config found, commands say where they looked and how to start, exit 2 and create nothing', async () => {
  const place = emptyPlace();
  for (const args of [['status'], ['etl', 'history'], ['validate'], ['config', 'check'], ['migrate', 'status']]) {
    const r = await runCli(args, { cwd: place.cwd, env: place.env });
    assert.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    const stderr = stderrText(r.stderr);
    assert.match(stderr, /^error: no opsctl config found; looked for \(in order\):\n/);
    for (const path of searched(place)) assert.ok(stderr.includes(`\n  ${path}\n`), `${args.join(' ')} names ${path}`);
    assert.match(stderr, /hint: Run `\S+ demo` to build a demo workspace in \.\/\.opsctl/);
    assert.match(stderr, /--config FILE or set OPSCTL_CONFIG/);
    assert.is(r.stdout, '');
  }
  const json = await runCli(['status', '--json'], { cwd: place.cwd, env: place.env });
  assert.is(json.code, 2);
  const doc = JSON.parse(json.stdout) as { error: { code: string; details: { searched: string[] } } };
  assert.is(doc.error.code, 'CONFIG_NOT_FOUND');
  assert.equal(doc.error.details.searched, searched(place));
  place.untouched();
});

test('help, version, completion and config show need no config and create nothing', async () => {
  const place = emptyPlace();
  for (const args of [['--help'], ['help', 'status'], ['version'], ['completion', 'bash'], ['config', 'show']]) {
    const r = await runCli(args, { cwd: place.cwd, env: place.env });
    assert.is(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  }
  const show = await runCli(['config', 'show', '--json'], { cwd: place.cwd, env: place.env });
  const doc = JSON.parse(show.stdout) as { configFile: string | null; configSearched: string[] };
  assert.is(doc.configFile, null);
  assert.equal(doc.configSearched, searched(place));
  const text = await runCli(['config', 'show'], { cwd: place.cwd, env: place.env });
  assert.match(text.stdout, /config file\s+\(none found; looked for /);
  place.untouched();
});

test('a config without `home` keeps its data in the XDG state directory, not in ./.opsctl', async () => {
  const place = emptyPlace();
  writeFileSync(join(place.cwd, 'opsctl.config.json'), JSON.stringify({ targets: {} }));
  const homeOf = async (env: Record<string, string>) => {
    const r = await runCli(['config', 'show', '--json'], { cwd: place.cwd, env: { ...place.env, ...env } });
    assert.is(r.code, 0, r.stderr);
    return (JSON.parse(r.stdout) as { config: { home: string } }).config.home;
  };
  assert.is(await homeOf({}), join(place.home, '.local', 'state', 'opsctl'));
  const xdg = join(place.home, 'xdg-state');
  assert.is(await homeOf({ XDG_STATE_HOME: xdg }), join(xdg, 'opsctl'));

  // status opens the state store there; the working directory gets no .opsctl.
  const status = await runCli(['status', '--json'], { cwd: place.cwd, env: { ...place.env, XDG_STATE_HOME: xdg } });
  assert.is(status.code, 0, status.stderr);
  assert.ok(existsSync(join(xdg, 'opsctl', 'state.db')));
  assert.equal(readdirSync(place.cwd), ['opsctl.config.json']);

  // The file's own `home` wins, relative to the file.
  writeFileSync(join(place.cwd, 'opsctl.config.json'), JSON.stringify({ home: 'data', targets: {} }));
  assert.is(await homeOf({ XDG_STATE_HOME: xdg }), join(place.cwd, 'data'));
});

test('a setup made of environment variables alone (OPSCTL_STATE_URL) runs without a config file', async () => {
  const place = emptyPlace();
  const state = join(place.home, 'state.db');
  const r = await runCli(['config', 'check'], {
    cwd: place.cwd,
    env: { ...place.env, OPSCTL_STATE_URL: `sqlite:${state}` },
  });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /configuration is valid \(no config file: the environment only/);
});

test("the demo's config keeps its data beside it however it is found (-c from another directory, OPSCTL_CONFIG)", () => {
  const root = tempDir('opsctl-demo-home-');
  const workspace = join(root, 'ws', '.opsctl');
  mkdirSync(workspace, { recursive: true });
  const file = join(workspace, 'opsctl.config.json');
  writeFileSync(file, JSON.stringify(buildWorkspace()));
  const elsewhere = join(root, 'elsewhere');
  mkdirSync(elsewhere);
  const env = { HOME: join(root, 'home'), XDG_STATE_HOME: join(root, 'state') };
  assert.is(loadConfig({ cwd: elsewhere, env, configPath: file }).config.home, workspace, '-c');
  assert.is(
    loadConfig({ cwd: elsewhere, env: { ...env, OPSCTL_CONFIG: file } }).config.home,
    workspace,
    'OPSCTL_CONFIG',
  );
});

test.run();
