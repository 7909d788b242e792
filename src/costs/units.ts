export const GIB = 1024 ** 3;
export const TIB = 1024 ** 4;

/** Bytes as a short human figure in binary units, the units BigQuery bills in. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let i = 0;
  while (Math.abs(value) >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  return `${i === 0 ? value : value.toFixed(value >= 100 ? 0 : value >= 10 ? 1 : 2)} ${units[i]}`;
}

/** Money is kept in USD with 1e-6 resolution in results and shown to the cent. */
export const roundUsd = (usd: number) => Math.round(usd * 1e6) / 1e6;
export const formatUsd = (usd: number) => `$${usd.toFixed(2)}`;
