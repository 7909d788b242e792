import { CostsPane } from './CostsPane.js';
import { OverviewPane } from './OverviewPane.js';
import type { PaneDefinition } from './types.js';
import { WatermarksPane } from './WatermarksPane.js';

/** The console's tabs, in order (number keys 1-9). Each capability adds its pane here. */
export const PANES: PaneDefinition[] = [
  { id: 'overview', title: 'Overview', component: OverviewPane },
  { id: 'costs', title: 'Costs', component: CostsPane },
  { id: 'watermarks', title: 'Watermarks', component: WatermarksPane },
];
