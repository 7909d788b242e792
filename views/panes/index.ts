import { BackupsPane } from './BackupsPane.js';
import { CostsPane } from './CostsPane.js';
import { LoadTestsPane } from './LoadTestsPane.js';
import { MigrationsPane } from './MigrationsPane.js';
import { OverviewPane } from './OverviewPane.js';
import { RunsPane } from './RunsPane.js';
import type { PaneDefinition } from './types.js';
import { WatermarksPane } from './WatermarksPane.js';

/** The console's tabs, in order (number keys 1-9). Each capability adds its pane here. */
export const PANES: PaneDefinition[] = [
  { id: 'overview', title: 'Overview', component: OverviewPane },
  { id: 'runs', title: 'Runs', component: RunsPane },
  { id: 'costs', title: 'Costs', component: CostsPane },
  { id: 'migrations', title: 'Migrations', component: MigrationsPane },
  { id: 'backups', title: 'Backups', component: BackupsPane },
  { id: 'loadtests', title: 'Load tests', component: LoadTestsPane },
  { id: 'watermarks', title: 'Watermarks', short: 'Wmark', component: WatermarksPane },
];
