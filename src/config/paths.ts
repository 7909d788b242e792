/** Small helpers to read and write nested plain objects by path, and to list their leaves. */
export type Path = readonly (string | number)[];

export function dotted(path: Path): string {
  return path.map(String).join('.');
}

export function getAt(obj: unknown, path: Path): unknown {
  let cur: unknown = obj;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[String(key)];
  }
  return cur;
}

export function setAt(obj: Record<string, unknown>, path: Path, value: unknown): void {
  let cur: Record<string, unknown> = obj;
  path.forEach((key, i) => {
    const k = String(key);
    if (i === path.length - 1) {
      cur[k] = value;
      return;
    }
    const next = cur[k];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  });
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Every leaf (non-object value; arrays count as leaves) with its path. */
export function leaves(obj: unknown, prefix: string[] = []): Array<{ path: string[]; value: unknown }> {
  if (!isPlainObject(obj)) return [{ path: prefix, value: obj }];
  const out: Array<{ path: string[]; value: unknown }> = [];
  for (const [k, v] of Object.entries(obj)) {
    if (isPlainObject(v) && Object.keys(v).length > 0) out.push(...leaves(v, [...prefix, k]));
    else out.push({ path: [...prefix, k], value: v });
  }
  return out;
}
