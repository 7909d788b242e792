import { BackupsPane } from './BackupsPane.js';
import { CostsPane } from './CostsPane.js';
import { HealthPane } from './HealthPane.js';
import { LoadTestsPane } from './LoadTestsPane.js';
import { MigrationsPane } from './MigrationsPane.js';
import { OverviewPane } from './OverviewPane.js';
import { RunsPane } from './RunsPane.js';
import type { PaneDefinition } from './types.js';
import { WatermarksPane } from './WatermarksPane.js';

/**
 * The console's tabs, in order (number keys 1-9). Each capability adds its pane here. Eight tabs fit 60 columns named
 * (tests/tui/layout.test.tsx) only with shorts of at most four cells; a ninth needs three-cell ones.
 */
export const PANES: PaneDefinition[] = [
  { id: 'overview', title: 'Overview', short: 'Ovw', component: OverviewPane },
  { id: 'runs', title: 'Runs', component: RunsPane },
  { id: 'costs', title: 'Costs', short: 'Cost', component: CostsPane },
  { id: 'migrations', title: 'Migrations', short: 'Mig', component: MigrationsPane },
  { id: 'backups', title: 'Backups', short: 'Bkp', component: BackupsPane },
  { id: 'loadtests', title: 'Load tests', component: LoadTestsPane },
  { id: 'watermarks', title: 'Watermarks', short: 'Wmark', component: WatermarksPane },
  { id: 'health', title: 'Health', short: 'Hlth', component: HealthPane },
];
