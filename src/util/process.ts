import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

export interface ProcessIdentity {
  host: string;
  pid: number;
  /** Start time of the process in clock ticks since boot (Linux), so a recycled pid is not mistaken for its holder. */
  start: string | null;
}

function startOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses; fields after the last ')' are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null; // field 22 overall: starttime
  } catch {
    return null;
  }
}

let self: ProcessIdentity | undefined;
export function currentProcess(): ProcessIdentity {
  self ??= { host: hostname(), pid: process.pid, start: startOf(process.pid) };
  return self;
}

/**
 * true: the process runs; false: it provably does not (same host, and the pid is gone or belongs to a newer process);
 * undefined: it runs on another host and we cannot tell.
 */
export function isProcessAlive(holder: { host: string; pid: number; start?: string | null }): boolean | undefined {
  if (holder.host !== hostname()) return undefined;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  if (holder.start) {
    const now = startOf(holder.pid);
    if (now !== null && now !== holder.start) return false;
  }
  return true;
}
