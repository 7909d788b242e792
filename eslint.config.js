// ESLint 9 flat config. Two jobs: catch real bugs (typescript-eslint, type-aware where a rule needs the types;
// react-hooks in the console), and hold the architecture's arrows (DESIGN.md "One operation, three faces") so that a
// wrong import fails `npm run lint` instead of waiting for a reviewer. tests/boundaries.test.ts proves each boundary
// rule still fires.
import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const root = import.meta.dirname;

/** The only modules of commands/ a face may import: the catalog (run by name) and the contract types it needs. */
const SPINE = ['./catalog.ts', './operation.ts', './runtime.ts'];
const FACE_RULE = 'faces reach operations only through commands/catalog.ts (types: ResultFor<…>, InputFor<…>)';
const FACES_APART = 'faces (src/cli*, src/bot/, views/) never import each other';

/**
 * Import boundaries, on resolved paths (a specifier glob cannot tell src/bot/commands/ from commands/).
 * `from` is what the files in `target` may not import; `except` (relative to `from`) punches the allowed holes.
 */
const zones = [
  // Engines: src/ is the layer everything else stands on. If it imported the capability layer or a face, the layers
  // would knot into cycles and an engine could not be reused (or tested) without the faces it happens to serve.
  ...['commands', 'views', 'src/cli', 'src/cli.ts', 'src/bot'].map((from) => ({
    target: ['src/!(cli|bot)/**', 'src/!(cli).ts'],
    from,
    message: 'engines in src/ never import commands/, views/ or a face; give the engine its own port type instead.',
  })),
  // Faces: one way to reach an operation, typed by its name. A face that imports a capability module directly
  // bypasses input validation and forks the operation's result type.
  ...['src/cli.ts', 'src/cli/**', 'src/bot/**', 'views/**'].map((target) => ({
    target,
    from: 'commands',
    except: SPINE,
    message: FACE_RULE,
  })),
  { target: ['src/cli.ts', 'src/cli/**'], from: 'src/bot', message: FACES_APART },
  // src/cli.ts is also the program's entry: bare on a TTY it opens the console, through views/main.tsx only.
  { target: 'src/cli.ts', from: 'views', except: ['./main.tsx'], message: FACES_APART },
  { target: 'src/cli/**', from: 'views', message: FACES_APART },
  ...['src/cli', 'src/cli.ts', 'views'].map((from) => ({ target: 'src/bot/**', from, message: FACES_APART })),
  ...['src/cli', 'src/cli.ts', 'src/bot'].map((from) => ({ target: 'views/**', from, message: FACES_APART })),
  // Operations return data; rendering is the faces' job, so the capability layer never reaches into the console.
  { target: 'commands/**', from: 'views', message: 'commands/ never imports views/: operations return data.' },
];

/** ink and react belong to the console: anywhere else they would cost every CLI start and bot process ~0.5 s. */
const uiImports = {
  paths: [
    { name: 'ink', message: 'ink is imported only inside views/.' },
    { name: 'react', message: 'react is imported only inside views/.' },
  ],
  patterns: [
    { group: ['ink-*', '@*/ink-*', 'react/*', 'react-*'], message: 'UI packages are imported only inside views/.' },
  ],
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.opsctl/**', 'bench/results/**', 'tests/fixtures/**'] },
  js.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    extends: [tseslint.configs.recommended],
    languageOptions: {
      parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: root },
    },
    rules: {
      // The type-aware rules that find real bugs here (a promise nobody awaits or catches, a promise where a callback
      // returning void is expected, awaiting a non-promise, throwing a non-Error). The rest of recommendedTypeChecked
      // (no-unsafe-* on every JSON payload) costs most of the run time and mostly flags tests' fixtures.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
      // Unused names are errors, except the `_`-prefixed ones a signature or a destructuring needs.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      // A cast to Operation erases the name → input → result link the catalog exists for.
      'no-restricted-syntax': [
        'error',
        {
          selector:
            ':matches(TSAsExpression, TSTypeAssertion) > TSTypeReference.typeAnnotation[typeName.name="Operation"]',
          message:
            'no casts to Operation: resolve the operation by name through commands/catalog.ts (run, loadOperation).',
        },
      ],
    },
  },
  {
    // A fake server records the JSON opsctl sent as it came, and the tests read whichever field they check.
    files: ['tests/fakes/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['src/**', 'commands/**', 'views/**'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [
        createNodeResolver({
          extensions: ['.ts', '.tsx', '.js', '.mjs', '.json', '.node'],
          // NodeNext: the source says `./x.js`, the file on disk is x.ts or x.tsx.
          extensionAlias: { '.js': ['.ts', '.tsx', '.js'] },
          conditionNames: ['import', 'node', 'default'],
        }),
      ],
    },
    rules: { 'import-x/no-restricted-paths': ['error', { basePath: root, zones }] },
  },
  {
    files: ['src/**', 'commands/**'],
    rules: { 'no-restricted-imports': ['error', uiImports] },
  },
  {
    files: ['views/**'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
);
