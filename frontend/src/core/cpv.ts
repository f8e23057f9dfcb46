/** Ordering of CPV matches for the picker: what the typed word begins comes first. */

export interface CpvLike {
  code: string
  label: string
}

/**
 * Rank matches of `query`: a code starting with the digits typed, then a label starting with the
 * word ("Electrical installation work" for "electr"), then a label with a word starting with it
 * ("Petroleum products, fuel, electricity ..."), then the rest; the server's order otherwise.
 */
export function rankCpv<T extends CpvLike>(matches: readonly T[], query: string): T[] {
  const q = query.trim().toLocaleLowerCase()
  const score = (c: T): number => {
    if (!q) return 3
    if (/^\d/.test(q) && c.code.startsWith(q.replace(/-\d$/, ''))) return 0
    const label = c.label.toLocaleLowerCase()
    if (label.startsWith(q)) return 1
    if (label.split(/[^\p{L}\p{N}]+/u).some((w) => w.startsWith(q))) return 2
    return 3
  }
  return matches
    .map((c, i) => ({ c, i, s: score(c) }))
    .sort((a, b) => a.s - b.s || a.i - b.i)
    .map((x) => x.c)
}
