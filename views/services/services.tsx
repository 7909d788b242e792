import React, { createContext, useContext } from 'react';
import type { Operation, Progress } from '../../commands/operation.js';
import type { LoadedConfig } from '../../src/config/load.js';
import type { LogBuffer } from './log-buffer.js';

export interface InvokeOptions {
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

/**
 * What the console's hooks use to reach the operations. The real implementation (main.tsx) runs them in-process on one
 * runtime; tests hand in a fake that answers by operation name.
 */
export interface ConsoleServices {
  loaded: LoadedConfig;
  logs: LogBuffer;
  invoke<R>(operation: Operation<any, R>, input: Record<string, unknown>, options?: InvokeOptions): Promise<R>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

const ServicesContext = createContext<ConsoleServices | null>(null);

export function ServicesProvider({ services, children }: { services: ConsoleServices; children: React.ReactNode }) {
  return <ServicesContext.Provider value={services}>{children}</ServicesContext.Provider>;
}

export function useServices(): ConsoleServices {
  const services = useContext(ServicesContext);
  if (!services) throw new Error('useServices needs a ServicesProvider');
  return services;
}
