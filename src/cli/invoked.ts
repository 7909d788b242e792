import { accessSync, constants, realpathSync } from 'node:fs';
import { delimiter, join, relative } from 'node:path';

/**
 * How the operator started opsctl, so a hint names a command that works for them: `npx opsctl` under npx or an npm
 * script, `opsctl` when the `opsctl` on PATH is this very launcher (a global or prefix install), else the launcher's
 * path (`node bin/opsctl` in a checkout).
 */
export function invokedAs(
  env: NodeJS.ProcessEnv = process.env,
  script: string | undefined = process.argv[1],
  cwd = process.cwd(),
): string {
  if (env.npm_command === 'exec' || env.npm_command === 'run-script') return 'npx opsctl';
  if (!script) return 'opsctl';
  const launcher = real(script);
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'opsctl');
    try {
      accessSync(candidate, constants.X_OK);
    } catch {
      continue;
    }
    if (real(candidate) === launcher) return 'opsctl';
    break; // another opsctl comes first on PATH: naming it would run that one
  }
  const rel = relative(cwd, script);
  return rel.startsWith('..') || rel === '' ? script : rel.includes('/') ? rel : `./${rel}`;
}

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
