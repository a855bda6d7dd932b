/** The normal form of every string of a set: Unicode NFC, LF line endings, no surrounding whitespace. */
export function normalizeText(text: string): string {
  return text.normalize('NFC').replace(/\r\n?/gu, '\n').trim();
}
