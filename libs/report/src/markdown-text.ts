/**
 * Safe Markdown text: anything that came from data (stimulus names, labels, model names, group
 * names) passes through here before it lands in the report, so it can never open a table cell,
 * a heading, a code block, a link, HTML, or end the YAML front matter.
 */

/** Escapes untrusted text for inline Markdown (paragraphs, list items, headings, table cells); newlines become spaces. */
export function escapeInline(text: string): string {
  const oneLine = text.replace(/\r\n?|\n|\u2028|\u2029/g, ' ');
  let out = oneLine.replace(/[\\`*_<|~&#]/g, (c) => `\\${c}`);
  out = out.replace(/!(?=\[)/g, '\\!');
  // Link and reference syntax needs "](" / "][" / "]:"; escaping the bracket keeps the text literal.
  out = out.replace(/\](?=[([:])/g, '\\]');
  // GFM turns bare URLs into links; a broken scheme separator keeps them plain text.
  out = out.replace(/:\/\//g, '\\://').replace(/\b(www)\./gi, '$1\\.');
  // Block markers only act at the start of a line: headings, lists, quotes, rules, setext underlines, fences.
  out = out.replace(/^(\s*)(>|[-+=](?=\s|$|[-=]))/, '$1\\$2');
  out = out.replace(/^(\s*\d+)([.)])(?=\s|$)/, '$1\\$2');
  return out;
}

/** Wraps text in a code span whose fence is longer than any backtick run inside it. */
export function codeSpan(text: string): string {
  const oneLine = text.replace(/\r\n?|\n|\u2028|\u2029/g, ' ');
  const longestRun = Math.max(0, ...(oneLine.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  const pad = oneLine.startsWith('`') || oneLine.endsWith('`') || oneLine.startsWith(' ') ? ' ' : '';
  return `${fence}${pad}${oneLine}${pad}${fence}`;
}

/** Renders one GitHub-flavoured Markdown table row from cells that are already Markdown. */
export function tableRow(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}
