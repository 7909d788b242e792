/**
 * Keyset paging over rows read newest first: the operation reads `limit + 1` rows; the extra one only says whether an
 * older page exists, and the last row shown is where the next page starts (`beforeId`). Offsets would skip or repeat
 * rows while new ones arrive.
 */
export function keysetPage<T extends { id: number }>(
  rows: readonly T[],
  limit: number,
): { page: T[]; nextBeforeId: number | null } {
  const page = rows.slice(0, limit);
  return { page, nextBeforeId: rows.length > limit ? page.at(-1)!.id : null };
}
