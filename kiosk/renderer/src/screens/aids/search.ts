/**
 * Finding an aid by the words people type on the tablet: accents, capitals and the kind of apostrophe do
 * not matter (« energie » finds « Chèque énergie »), and every word typed must be found somewhere in the
 * aid's name or its one-line summary, as the start of a word or inside it (« allocation » finds
 * « Allocations familiales »).
 */

/** Lower case, no accents, one apostrophe, ligatures spelled out. */
export function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/œ/g, 'oe')
    .replace(/æ/g, 'ae')
    .replace(/[’‘`´]/g, "'");
}

/** The words of a query, folded; punctuation and spaces only separate them. */
export function queryWords(query: string): string[] {
  return fold(query)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
}

export function matchesQuery(aid: { name: string; summary: string }, query: string): boolean {
  const words = queryWords(query);
  if (words.length === 0) return true;
  const text = fold(`${aid.name} ${aid.summary}`);
  return words.every((w) => text.includes(w));
}
