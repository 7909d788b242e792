export const GIB = 1024 ** 3;
export const TIB = 1024 ** 4;

/** Money is kept in USD with 1e-6 resolution in results (src/format.ts `usd` writes it for a person). */
export const roundUsd = (usd: number) => Math.round(usd * 1e6) / 1e6;
