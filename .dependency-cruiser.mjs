// dependency-cruiser: no import cycles among src/, commands/ and views/ (npm run deps:check).
// The graph is the one Node loads at start: type-only imports are erased by tsc (tsPreCompilationDeps: false) and a
// dynamic import() runs after both modules have loaded (exclude.dynamic), so neither can leave a module half
// initialised. That keeps the catalog's lazy loaders (commands/catalog.ts imports every operation on demand, and
// validate reaches operations through the catalog) out of the count, and catches the static cycles that can.
/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A static import cycle: one module of it runs before the other has finished loading.',
      from: { path: '^(src|commands|views)/' },
      to: { circular: true },
    },
  ],
  options: {
    includeOnly: '^(src|commands|views)/',
    exclude: { dynamic: true },
    tsPreCompilationDeps: false,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js'] },
  },
};
