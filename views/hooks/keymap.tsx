import React, { createContext, useCallback, useContext, useEffect, useId, useMemo, useRef, useState } from 'react';
import { useInput, type Key } from 'ink';
import { keyId, splitChunk, type Binding, type Layer } from '../keys.js';

interface Registration {
  id: string;
  layer: Layer;
  order: number;
  bindings: () => Binding[];
  /** Free text typed while this modal layer is on top (filter prompt, typed confirmation). */
  onText?: (input: string) => void;
  /** Read at each key press: a layer opened by a key is live for the very next key, before React re-renders. */
  isActive?: () => boolean;
}

interface KeymapApi {
  register(reg: Registration): void;
  unregister(id: string): void;
  touch(): void;
  /** The bindings that work now, in dispatch order (modal alone when one is open; else pane, then global). */
  active(): Binding[];
  /** Every registered binding by layer, for the ? help. */
  all(): Array<{ layer: Layer; bindings: Binding[] }>;
  version: number;
}

const KeymapContext = createContext<KeymapApi | null>(null);
let order = 0;

export function KeymapProvider({ children }: { children: React.ReactNode }) {
  const regs = useRef(new Map<string, Registration>());
  const [version, setVersion] = useState(0);
  const touch = useCallback(() => setVersion((v) => v + 1), []);

  const live = () => [...regs.current.values()].filter((r) => r.isActive?.() ?? true);
  const topModal = () =>
    live()
      .filter((r) => r.layer === 'modal')
      .sort((a, b) => b.order - a.order)[0];
  const activeRegs = (): Registration[] => {
    const modal = topModal();
    if (modal) return [modal];
    const list = live();
    return [...list.filter((r) => r.layer === 'pane'), ...list.filter((r) => r.layer === 'global')];
  };
  const enabled = (b: Binding) => b.enabled !== false;

  const api = useMemo<KeymapApi>(
    () => ({
      register(reg) {
        regs.current.set(reg.id, reg);
        touch();
      },
      unregister(id) {
        regs.current.delete(id);
        touch();
      },
      touch,
      active: () => activeRegs().flatMap((r) => r.bindings().filter(enabled)),
      all: () => live().map((r) => ({ layer: r.layer, bindings: r.bindings().filter(enabled) })),
      version,
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [version],
  );

  const dispatch = (input: string, key: Key) => {
    const id = keyId(input, key);
    for (const reg of activeRegs()) {
      const binding = reg.bindings().find((b) => enabled(b) && b.keys.includes(id));
      if (binding) {
        binding.run();
        return;
      }
      if (reg.layer === 'modal') {
        if (reg.onText && input && !key.ctrl && !key.meta && id === input) reg.onText(input);
        return;
      }
    }
  };

  // Ink hands a chunk (a paste, fast typing, a loaded machine, `tmux send-keys -l jjj`) over as one input: split it so
  // each key does what it would have done alone (issue 18: 50 j moved 41 rows, two backspaces erased one).
  useInput((input, key) => {
    for (const [i, k] of splitChunk(input, key)) dispatch(i, k);
  });

  return <KeymapContext.Provider value={api}>{children}</KeymapContext.Provider>;
}

export function useKeymapApi(): KeymapApi {
  const api = useContext(KeymapContext);
  if (!api) throw new Error('useKeymap needs a KeymapProvider');
  return api;
}

/**
 * Registers bindings while `active`. Handlers are read through a ref, so they always see the latest state without
 * re-registering; the footer refreshes when the visible keys or labels change. `active` may be a function read at
 * each key press, for a layer that a key opens and the next key must already reach (typing right after `/`).
 */
export function useKeymap(
  layer: Layer,
  bindings: Binding[],
  options: { active?: boolean | (() => boolean); onText?: (input: string) => void } = {},
): void {
  const api = useKeymapApi();
  const id = useId();
  const ref = useRef(bindings);
  ref.current = bindings;
  const textRef = useRef(options.onText);
  textRef.current = options.onText;
  const activeRef = useRef(options.active);
  activeRef.current = options.active;
  const dynamic = typeof options.active === 'function';
  const active = dynamic ? true : ((options.active as boolean | undefined) ?? true);
  const hasText = Boolean(options.onText);
  useEffect(() => {
    if (!active) return;
    api.register({
      id,
      layer,
      order: ++order,
      bindings: () => ref.current,
      ...(hasText ? { onText: (t: string) => textRef.current?.(t) } : {}),
      ...(dynamic ? { isActive: () => (activeRef.current as () => boolean)() } : {}),
    });
    return () => api.unregister(id);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id, layer, active, hasText, dynamic]);
  const signature = bindings
    .map((b) => `${b.keys.join(',')}:${b.label}:${b.enabled !== false}:${b.hidden ? 1 : 0}`)
    .join('|');
  const liveNow = dynamic ? (options.active as () => boolean)() : active;
  useEffect(() => {
    if (active) api.touch();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [signature, liveNow]);
}
