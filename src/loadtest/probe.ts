import { connect } from 'node:net';
import { ConnectionError } from '../errors.js';
import { describeError } from './recorder.js';

/**
 * Opens (and closes) one TCP connection to the URL's host and port before any request is sent, so an unreachable
 * service is one clear error instead of a run full of refused connections.
 */
export async function probeReachable(url: string, timeoutMs: number): Promise<void> {
  const u = new URL(url);
  const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  const host = u.hostname.replace(/^\[|\]$/g, '');
  await new Promise<void>((resolve, reject) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(Object.assign(new Error(`no TCP connection within ${timeoutMs} ms`), { code: 'ETIMEDOUT' }));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.end();
      resolve();
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  }).catch((error: unknown) => {
    const code = (error as { code?: string }).code;
    const why =
      code === 'ECONNREFUSED'
        ? 'connection refused'
        : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
          ? 'host not found'
          : describeError(error);
    throw new ConnectionError(`cannot reach ${u.host} (${url}): ${why}`, {
      hint:
        code === 'ECONNREFUSED'
          ? 'Nothing listens on that port: start the service, or check the URL and port.'
          : 'Check the URL, DNS and that the service is up.',
      details: { url, code: code ?? null },
    });
  });
}
