import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

/**
 * The architecture's arrows are lint rules (eslint.config.js). These snippets break each arrow once and must be
 * reported, and their allowed twins must not be, so a config edit or a plugin upgrade cannot switch a rule off
 * silently. The snippets are linted in memory at paths inside the tree; the imports they name are real files.
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const RULES = new Set([
  'import-x/no-restricted-paths',
  'no-restricted-imports',
  'no-restricted-syntax',
  'react-hooks/rules-of-hooks',
  'react-hooks/exhaustive-deps',
]);

let eslint: ESLint | undefined;
function linter(): ESLint {
  // The snippets are not files of the TypeScript project, so they are parsed without type information; the rules under
  // test need none.
  eslint ??= new ESLint({
    cwd: root,
    overrideConfig: { languageOptions: { parserOptions: { project: null, projectService: false } } },
    ruleFilter: ({ ruleId }) => RULES.has(ruleId),
  });
  return eslint;
}

async function findings(path: string, code: string): Promise<Array<{ rule: string | null; message: string }>> {
  const [result] = await linter().lintText(code, { filePath: join(root, path) });
  return (result?.messages ?? []).map((m) => ({ rule: m.ruleId, message: m.message }));
}

async function reported(path: string, code: string, rule: string, pattern: RegExp): Promise<void> {
  const found = await findings(path, code);
  assert.ok(
    found.some((f) => f.rule === rule && pattern.test(f.message)),
    `${path}: expected ${rule} ~ ${pattern}, got ${JSON.stringify(found)}`,
  );
}

async function clean(path: string, code: string): Promise<void> {
  assert.equal(await findings(path, code), [], path);
}

test('a console view importing a capability module is reported; the catalog is allowed', async () => {
  await reported(
    'views/hooks/boundary-probe.ts',
    "import { backupList } from '../../commands/backup/list.js';\nexport const op = backupList;\n",
    'import-x/no-restricted-paths',
    /faces reach operations only through commands\/catalog\.ts/,
  );
  await reported(
    'views/hooks/boundary-probe.ts',
    "import type { BackupListResult } from '../../commands/backup/list.js';\nexport type R = BackupListResult;\n",
    'import-x/no-restricted-paths',
    /catalog/,
  );
  await clean(
    'views/hooks/boundary-probe.ts',
    "import { run, type ResultFor } from '../../commands/catalog.js';\nexport type R = ResultFor<'backup.list'>;\nexport const go = run;\n",
  );
});

test('the CLI and the bot importing a capability module, statically or lazily, are reported', async () => {
  await reported(
    'src/cli/register/boundary-probe.ts',
    "export const load = () => import('../../../commands/etl/run.js');\n",
    'import-x/no-restricted-paths',
    /catalog/,
  );
  await reported(
    'src/bot/commands/boundary-probe.ts',
    "import { costsCheck } from '../../../commands/costs/check.js';\nexport const op = costsCheck;\n",
    'import-x/no-restricted-paths',
    /catalog/,
  );
  // The bot's own src/bot/commands/ folder is not the capability layer.
  await clean('src/bot/boundary-probe.ts', "export { BOT_COMMANDS } from './commands/index.js';\n");
});

test('an engine in src/ importing the catalog or the operation contract is reported', async () => {
  await reported(
    'src/warehouse/boundary-probe.ts',
    "import { run } from '../../commands/catalog.js';\nexport const go = run;\n",
    'import-x/no-restricted-paths',
    /engines in src\/ never import commands\//,
  );
  await reported(
    'src/pipelines/boundary-probe.ts',
    "import type { OperationContext } from '../../commands/operation.js';\nexport type C = OperationContext;\n",
    'import-x/no-restricted-paths',
    /engines/,
  );
  await reported(
    'src/boundary-probe.ts',
    "export * from '../views/keys.js';\n",
    'import-x/no-restricted-paths',
    /engines/,
  );
});

test('faces importing each other are reported', async () => {
  await reported(
    'src/bot/boundary-probe.ts',
    "export * from '../cli/output.js';\n",
    'import-x/no-restricted-paths',
    /faces/,
  );
  await reported(
    'views/boundary-probe.ts',
    "export * from '../src/bot/format.js';\n",
    'import-x/no-restricted-paths',
    /faces/,
  );
  await reported(
    'src/cli/boundary-probe.ts',
    "export * from '../../views/keys.js';\n",
    'import-x/no-restricted-paths',
    /faces/,
  );
  await reported(
    'commands/boundary-probe.ts',
    "export * from '../views/keys.js';\n",
    'import-x/no-restricted-paths',
    /views/,
  );
});

test('ink and react outside views/ are reported', async () => {
  await reported('src/health/boundary-probe.ts', "export { Box } from 'ink';\n", 'no-restricted-imports', /views/);
  await reported('commands/boundary-probe.ts', "export { useState } from 'react';\n", 'no-restricted-imports', /views/);
  await reported(
    'src/boundary-probe.ts',
    "export { render } from 'ink-testing-library';\n",
    'no-restricted-imports',
    /views/,
  );
  await clean('views/widgets/boundary-probe.tsx', "export { Box } from 'ink';\n");
});

test('a cast to Operation is reported, in both cast syntaxes and with type arguments', async () => {
  const header = "import type { Operation } from './operation.js';\ndeclare const op: unknown;\n";
  for (const cast of ['op as Operation', 'op as Operation<never, unknown>', '<Operation>op']) {
    await reported(
      'commands/boundary-probe.ts',
      `${header}export const x = ${cast};\n`,
      'no-restricted-syntax',
      /no casts to Operation/,
    );
  }
  await clean('commands/boundary-probe.ts', `${header}export const x = op as { name: string };\n`);
});

test('the console hooks rules fire: a conditional hook, an effect missing a dependency', async () => {
  const hook = (body: string) =>
    `import { useEffect, useState } from 'react';\nexport function useProbe(a: number) {\n${body}\n}\n`;
  await reported(
    'views/hooks/boundary-probe.ts',
    hook('  if (a > 0) useState(0);\n  return a;'),
    'react-hooks/rules-of-hooks',
    /called conditionally/,
  );
  await reported(
    'views/hooks/boundary-probe.ts',
    hook('  const [n, setN] = useState(0);\n  useEffect(() => setN(a + n), []);\n  return n;'),
    'react-hooks/exhaustive-deps',
    /missing dependencies/,
  );
});

test.run();
