import type { LogRecord } from '../../src/log/logger.js';

/** The console cannot log to stderr (it would scribble over the screen): records go to a ring buffer instead. */
export class LogBuffer {
  private records: LogRecord[] = [];
  private listeners = new Set<() => void>();
  constructor(private readonly capacity = 500) {}

  push = (record: LogRecord): void => {
    this.records.push(record);
    if (this.records.length > this.capacity) this.records.splice(0, this.records.length - this.capacity);
    for (const l of this.listeners) l();
  };

  list(): readonly LogRecord[] {
    return this.records;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
