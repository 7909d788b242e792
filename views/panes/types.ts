import type React from 'react';

export interface PaneProps {
  width: number;
  height: number;
}

/** A tab of the console. Panes are listed in panes/index.ts; the number keys follow that order. */
export interface PaneDefinition {
  id: string;
  title: string;
  component: React.ComponentType<PaneProps>;
}
