import { Box, Text } from 'ink';
import stringWidth from 'string-width';

export interface Tab {
  id: string;
  title: string;
  /** A name of at most 5 cells for narrow terminals ("Migr"); derived from the title when missing. */
  short?: string;
}

type Label = 'full' | 'short' | 'number';

interface Layout {
  brand: boolean;
  /** How the active tab and the others are named. */
  active: Label;
  others: Label;
  /** Padded tabs (` 2 Runs `) read better; compact ones (`2 Runs`, one space apart) fit more. */
  padded: boolean;
  badge: 'full' | 'short';
}

/**
 * From the roomiest to the tightest. The first that fits the width is drawn, so every tab stays on screen and named
 * at 80 columns, every tab keeps at least its number at any width, and the environment badge never pushes a tab out.
 */
const LAYOUTS: Layout[] = [
  { brand: true, active: 'full', others: 'full', padded: true, badge: 'full' },
  { brand: true, active: 'full', others: 'short', padded: true, badge: 'full' },
  { brand: false, active: 'full', others: 'short', padded: true, badge: 'full' },
  { brand: false, active: 'full', others: 'short', padded: false, badge: 'full' },
  { brand: false, active: 'short', others: 'short', padded: false, badge: 'full' },
  { brand: false, active: 'full', others: 'short', padded: false, badge: 'short' },
  { brand: false, active: 'short', others: 'short', padded: false, badge: 'short' },
  { brand: false, active: 'short', others: 'number', padded: false, badge: 'short' },
  { brand: false, active: 'number', others: 'number', padded: false, badge: 'short' },
];

const BRAND = 'opsctl ';

export function shortTitle(tab: Tab): string {
  if (tab.short) return tab.short;
  const first = tab.title.split(/\s+/)[0] ?? tab.title;
  return first.length <= 5 ? first : first.slice(0, 4);
}

/** "dev", "prod", "stg": the badge's short form keeps the word recognisable. */
export function shortEnvironment(environment: string): string {
  const known: Record<string, string> = { development: 'dev', production: 'prod', staging: 'stg' };
  return known[environment] ?? environment.slice(0, 4);
}

function tabText(tab: Tab, index: number, label: Label): string {
  if (label === 'number') return String(index + 1);
  return `${index + 1} ${label === 'full' ? tab.title : shortTitle(tab)}`;
}

interface Drawn {
  layout: Layout;
  tabs: Array<{ id: string; text: string; active: boolean }>;
  badge: string;
  width: number;
}

function draw(tabs: Tab[], active: string, environment: string, layout: Layout): Drawn {
  const drawn = tabs.map((tab, i) => {
    const isActive = tab.id === active;
    const text = tabText(tab, i, isActive ? layout.active : layout.others);
    // The active tab is always padded: its inverse block must not touch its neighbours.
    return { id: tab.id, text: layout.padded || isActive ? ` ${text} ` : text, active: isActive };
  });
  const badge = ` ${layout.badge === 'full' ? environment : shortEnvironment(environment)} `;
  // Compact tabs sit one space apart, except beside the padded active one.
  let width = layout.brand ? stringWidth(BRAND) : 0;
  drawn.forEach((t, i) => {
    width += stringWidth(t.text);
    const next = drawn[i + 1];
    if (next && !layout.padded && !t.active && !next.active) width += 1;
  });
  width += stringWidth(badge);
  return { layout, tabs: drawn, badge, width };
}

/** The layout chosen for a width (exported for tests). */
export function layoutTabBar(tabs: Tab[], active: string, width: number, environment: string): Drawn {
  let last: Drawn | undefined;
  for (const layout of LAYOUTS) {
    last = draw(tabs, active, environment, layout);
    if (last.width <= width) return last;
  }
  return last!;
}

/** The header: one line at every width, never wrapped. */
export function TabBar({
  tabs,
  active,
  width,
  environment,
}: {
  tabs: Tab[];
  active: string;
  width: number;
  environment: string;
}) {
  const envColor = environment === 'production' ? 'red' : environment === 'staging' ? 'yellow' : 'green';
  const bar = layoutTabBar(tabs, active, width, environment);
  const badgeWidth = stringWidth(bar.badge);
  return (
    <Box width={width} height={1} overflow="hidden">
      <Box flexGrow={1} flexShrink={1} overflow="hidden">
        <Text wrap="truncate">
          {bar.layout.brand ? (
            <Text bold color="magenta">
              {BRAND}
            </Text>
          ) : null}
          {bar.tabs.map((tab, i) => {
            const next = bar.tabs[i + 1];
            const gap = next && !bar.layout.padded && !tab.active && !next.active ? ' ' : '';
            return (
              <Text key={tab.id}>
                <Text inverse={tab.active} bold={tab.active} dimColor={!tab.active}>
                  {tab.text}
                </Text>
                {gap}
              </Text>
            );
          })}
        </Text>
      </Box>
      <Box flexShrink={0} width={badgeWidth}>
        <Text color={envColor} bold inverse={environment === 'production'}>
          {bar.badge}
        </Text>
      </Box>
    </Box>
  );
}
