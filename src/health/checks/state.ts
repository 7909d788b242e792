import { redactUrlPasswords } from '../../log/redact.js';
import type { HealthProvider } from '../types.js';

/** The state store: runs, watermarks, locks. Probed through the invocation's own store, so it is opened once. */
export const stateHealthChecks: HealthProvider = (config) => {
  const url = config.state.url;
  const sqlite = url.startsWith('sqlite:');
  return [
    {
      id: 'state',
      name: 'state',
      label: 'state store',
      group: 'core',
      kind: sqlite ? 'sqlite' : 'postgres',
      location: sqlite ? url.slice('sqlite:'.length) : redactUrlPasswords(url),
      hint: 'Check OPSCTL_STATE_URL (state.url) and that the server answers.',
      async probe(env) {
        const store = await env.state();
        return { version: await store.serverVersion(), location: store.location };
      },
    },
  ];
};
