import React, { createContext, useContext } from 'react';
import type { InputFor, OperationName, ResultFor } from '../../commands/catalog.js';
import type { Progress } from '../../commands/operation.js';
import type { LoadedConfig } from '../../src/config/load.js';
import type { LogBuffer } from './log-buffer.js';

export interface InvokeOptions {
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

/**
 * What the console's hooks use to reach the operations: by catalog name, typed end to end (`run('backup.list', {})` is
 * a `Promise<ResultFor<'backup.list'>>`). The real implementation (main.tsx) runs them through the catalog on one
 * runtime; tests hand in a fake that answers by operation name.
 */
export interface ConsoleServices {
  loaded: LoadedConfig;
  logs: LogBuffer;
  run<N extends OperationName>(name: N, input: InputFor<N>, options?: InvokeOptions): Promise<ResultFor<N>>;
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
