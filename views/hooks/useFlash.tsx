import React, { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';

export type FlashLevel = 'info' | 'success' | 'warn' | 'error';
export interface Flash {
  text: string;
  level: FlashLevel;
}

interface FlashApi {
  flash: Flash | undefined;
  show(text: string, level?: FlashLevel, ms?: number): void;
}

const FlashContext = createContext<FlashApi>({ flash: undefined, show: () => undefined });

/** A status line message that clears itself (errors stay longer). */
export function FlashProvider({ children }: { children: React.ReactNode }) {
  const [flash, setFlash] = useState<Flash>();
  const timer = useRef<NodeJS.Timeout>(undefined);
  const show = useCallback((text: string, level: FlashLevel = 'info', ms?: number) => {
    setFlash({ text, level });
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => setFlash(undefined), ms ?? (level === 'error' ? 10_000 : 4_000));
    timer.current.unref?.();
  }, []);
  useEffect(() => () => timer.current && clearTimeout(timer.current), []);
  return <FlashContext.Provider value={{ flash, show }}>{children}</FlashContext.Provider>;
}

export function useFlash(): FlashApi {
  return useContext(FlashContext);
}
