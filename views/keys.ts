import type { Key } from 'ink';

/**
 * One key-binding table drives both dispatch and the footer, so the keys shown are exactly the keys that work (k9s,
 * lazygit). A binding belongs to a layer: global (the App), pane (the active pane) or modal (a dialog, the help, a
 * filter prompt), and a modal layer captures every key while it is open.
 */
export type KeyId = string;

export interface Binding {
  /** Key ids: a character ('q', '/', '?'), or 'enter', 'esc', 'tab', 'shift+tab', 'up', 'down', 'left', 'right',
   * 'pageup', 'pagedown', 'home', 'end', 'backspace', 'ctrl+c', 'ctrl+r'… */
  keys: KeyId[];
  /** Short label for the footer ("refresh"). */
  label: string;
  /** Longer text for the ? help; defaults to the label. */
  description?: string;
  run: () => void;
  /** Shown and active only when true (default true). */
  enabled?: boolean;
  /** Works but is not shown in the footer (still listed in help), e.g. vim-style aliases. */
  hidden?: boolean;
  /** How the keys are written in the footer and help, when the key ids alone would be clumsy ("↑/↓"). */
  display?: string;
}

export type Layer = 'global' | 'pane' | 'modal';

/** Normalises Ink's (input, key) pair into one key id. */
export function keyId(input: string, key: Key): KeyId {
  if (key.ctrl && input) return `ctrl+${input.toLowerCase()}`;
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.leftArrow) return 'left';
  if (key.rightArrow) return 'right';
  if (key.pageUp) return 'pageup';
  if (key.pageDown) return 'pagedown';
  if ((key as { home?: boolean }).home) return 'home';
  if ((key as { end?: boolean }).end) return 'end';
  if (key.return) return 'enter';
  if (key.escape) return 'esc';
  if (key.tab) return key.shift ? 'shift+tab' : 'tab';
  if (key.backspace || key.delete) return 'backspace';
  return input;
}

const KEY_LABEL: Record<string, string> = {
  up: '↑',
  down: '↓',
  left: '←',
  right: '→',
  enter: '⏎',
  esc: 'esc',
  tab: 'tab',
  'shift+tab': '⇧tab',
  pageup: 'pgup',
  pagedown: 'pgdn',
  backspace: '⌫',
};

/** How a binding's keys are written in the footer and help: "↑/↓", "q", "ctrl+c". */
export function keyLabel(keys: KeyId[]): string {
  return keys.map((k) => KEY_LABEL[k] ?? (k === ' ' ? 'space' : k)).join('/');
}

export function bindingKeys(binding: Binding): string {
  return binding.display ?? keyLabel(binding.keys);
}

const BACKSPACE = /^[\x7f\b]$/;

/**
 * One input from Ink as the keys it holds: a chunk of printable characters and backspaces (a paste, fast typing) is
 * split into one key each; anything else (an arrow, ctrl+x, a single key) passes through as it came.
 */
export function splitChunk(input: string, key: Key): Array<[string, Key]> {
  const chars = [...input];
  if (chars.length < 2 || key.ctrl || key.meta) return [[input, key]];
  // eslint-disable-next-line no-control-regex
  if (!chars.every((c) => BACKSPACE.test(c) || !/[\x00-\x1f]/.test(c))) return [[input, key]];
  return chars.map((c): [string, Key] =>
    BACKSPACE.test(c) ? ['', { ...key, backspace: true }] : [c, { ...key, shift: /[A-Z]/.test(c) }],
  );
}
