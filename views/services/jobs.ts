import type { InputFor, OperationName, ResultFor } from '../../commands/catalog.js';
import type { Progress } from '../../commands/operation.js';
import { ConfirmationRequired } from '../../src/errors.js';
import type { ConsoleServices } from './services.js';

export type JobStatus = 'running' | 'done' | 'failed' | 'cancelled' | 'asking';

/** One action started from the console: its operation, input, live progress and how it ended. */
export interface Job<N extends OperationName = OperationName> {
  id: number;
  operation: N;
  /** Who started it and finds it again (a pane's slot, e.g. `migrations:up`); survives the pane's unmount. */
  owner: string;
  input: InputFor<N>;
  /** The target or item it acts on, for the jobs view. */
  subject: string | undefined;
  status: JobStatus;
  progress: Progress | undefined;
  result: ResultFor<N> | undefined;
  error: Error | undefined;
  /** The pieces streamed as progress items (validate's checks, a load test's ticks), the newest last, capped. */
  items: unknown[];
  /** The operation refused without `confirm: true`: the pane shows the dialog; a yes starts a confirmed job. */
  confirmation: ConfirmationRequired | undefined;
  startedAt: number;
  finishedAt: number | undefined;
  /** False until the operator has seen the outcome (the pane that started it, or the jobs view). */
  read: boolean;
}

/** Progress items kept per job (a load test ticks once a second; validate streams a few dozen checks). */
const MAX_ITEMS = 600;
const SUBJECT_KEYS = ['target', 'table', 'backup', 'profile', 'pipelines', 'env', 'run'] as const;

function subjectOf(input: unknown): string | undefined {
  if (!input || typeof input !== 'object') return undefined;
  const record = input as Record<string, unknown>;
  for (const k of SUBJECT_KEYS) {
    const v = record[k];
    if (v === undefined || v === null) continue;
    return Array.isArray(v) ? v.join(',') : String(v);
  }
  return undefined;
}

/**
 * The console's jobs: every action started from any pane runs here, owned by the app and not by the pane, so leaving
 * a pane never loses a job or its result. Each job has an AbortController; cancel aborts the operation's signal.
 * Listeners are told of every change (React subscribes through useSyncExternalStore).
 */
export class JobStore {
  private jobs: Job[] = [];
  private controllers = new Map<number, AbortController>();
  private settled = new Map<number, Promise<void>>();
  private listeners = new Set<() => void>();
  private nextId = 1;
  private version = 0;

  constructor(private readonly services: Pick<ConsoleServices, 'run'>) {}

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Changes on every update: React's snapshot. */
  getVersion = (): number => this.version;

  list(): readonly Job[] {
    return this.jobs;
  }

  get(id: number): Job | undefined {
    return this.jobs.find((j) => j.id === id);
  }

  /** The newest job of an owner (the pane slot that started it). */
  latest(owner: string): Job | undefined {
    for (let i = this.jobs.length - 1; i >= 0; i--) if (this.jobs[i]!.owner === owner) return this.jobs[i];
    return undefined;
  }

  running(): Job[] {
    return this.jobs.filter((j) => j.status === 'running');
  }

  /** Finished jobs whose outcome nobody has looked at yet. */
  unread(): Job[] {
    return this.jobs.filter((j) => !j.read && j.status !== 'running' && j.status !== 'asking');
  }

  start<N extends OperationName>(name: N, input: InputFor<N>, owner: string = name): Job<N> {
    const ac = new AbortController();
    const job: Job<N> = {
      id: this.nextId++,
      operation: name,
      owner,
      input,
      subject: subjectOf(input),
      status: 'running',
      progress: undefined,
      result: undefined,
      error: undefined,
      items: [],
      confirmation: undefined,
      startedAt: Date.now(),
      finishedAt: undefined,
      read: false,
    };
    this.jobs.push(job);
    this.controllers.set(job.id, ac);
    const done = this.services
      .run(name, input, { signal: ac.signal, onProgress: (p) => this.progress(job.id, p) })
      .then(
        (result) => this.finish(job.id, { status: ac.signal.aborted ? 'cancelled' : 'done', result }),
        (e: unknown) => {
          if (e instanceof ConfirmationRequired) return this.finish(job.id, { status: 'asking', confirmation: e });
          const error = e instanceof Error ? e : new Error(String(e));
          return this.finish(job.id, { status: ac.signal.aborted ? 'cancelled' : 'failed', error });
        },
      );
    this.settled.set(job.id, done);
    this.changed();
    return job;
  }

  /** Resolves with the job once it has ended (done, failed, cancelled or asking). */
  async wait(id: number): Promise<Job | undefined> {
    await this.settled.get(id);
    return this.get(id);
  }

  /** Answers a job that asked for confirmation: yes starts it again confirmed (same owner), no drops it. */
  answer(id: number, yes: boolean): Job | undefined {
    const job = this.get(id);
    if (!job || job.status !== 'asking') return undefined;
    this.jobs = this.jobs.filter((j) => j.id !== id);
    this.changed();
    if (!yes) return undefined;
    // The dialog made the operator type a production target's name: that is the operation's confirmTarget.
    const typed = job.confirmation?.typed;
    const input = { ...(job.input as object), confirm: true, ...(typed ? { confirmTarget: typed } : {}) };
    return this.start(job.operation, input, job.owner);
  }

  /** Aborts a running job's signal; the job ends `cancelled` when the operation has unwound. */
  cancel(id: number): boolean {
    const job = this.get(id);
    if (!job || job.status !== 'running') return false;
    this.controllers.get(id)?.abort();
    return true;
  }

  markRead(id: number): void {
    const job = this.get(id);
    if (!job || job.read || job.status === 'running') return;
    this.update(id, { read: true });
  }

  /** Cancels every running job and waits for them to unwind, at most `timeoutMs`; true when all of them ended. */
  async cancelAll(timeoutMs: number): Promise<boolean> {
    const running = this.running();
    for (const j of running) this.controllers.get(j.id)?.abort();
    const all = Promise.all(running.map((j) => this.settled.get(j.id) ?? Promise.resolve())).then(() => true);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    try {
      return await Promise.race([all, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private progress(id: number, p: Progress): void {
    const job = this.get(id);
    if (!job || job.status !== 'running') return;
    const items = p.item === undefined ? job.items : [...job.items, p.item].slice(-MAX_ITEMS);
    this.update(id, { progress: p, items });
  }

  private finish(id: number, patch: Partial<Job>): void {
    this.controllers.delete(id);
    this.update(id, { ...patch, finishedAt: Date.now() });
  }

  private update(id: number, patch: Partial<Job>): void {
    this.jobs = this.jobs.map((j) => (j.id === id ? { ...j, ...patch } : j));
    this.changed();
  }

  private changed(): void {
    this.version++;
    for (const l of this.listeners) l();
  }
}
