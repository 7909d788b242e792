import type React from 'react';

export interface PaneProps {
  width: number;
  height: number;
}

/** A tab of the console. Panes are listed in panes/index.ts; the number keys follow that order. */
export interface PaneDefinition {
  id: string;
  title: string;
  /** At most 5 cells, for the tab bar of a narrow terminal; derived from the title when missing. */
  short?: string;
  component: React.ComponentType<PaneProps>;
}
