/** The live state of one component (state store, warehouse, a database target), as the Overview shows it. */
export type HealthStatus = 'up' | 'down' | 'busy' | 'absent' | 'unchecked';

export interface ComponentHealth {
  name: string;
  kind: string;
  location: string;
  status: HealthStatus;
  version?: string;
  latencyMs?: number;
  error?: string;
  hint?: string;
}
