/**
 * A small XML well-formedness check for the tests: balanced, properly nested tags, quoted
 * attributes, no duplicate attributes, and no bare '<' or '&' in text or attribute values.
 * Returns the problems found (empty when well-formed).
 */
export function xmlProblems(xml: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  const token = /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!\[CDATA\[[\s\S]*?\]\]>|<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[A-Za-z_][\w:.-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>/g;
  let last = 0;
  let roots = 0;
  for (let match = token.exec(xml); match !== null; match = token.exec(xml)) {
    checkText(xml.slice(last, match.index), problems);
    last = token.lastIndex;
    const [, closing, name, attributes, selfClosing] = match;
    if (name === undefined) continue;
    if (closing) {
      const open = stack.pop();
      if (open !== name) problems.push(`</${name}> closes <${open ?? 'nothing'}>`);
      continue;
    }
    if (stack.length === 0) roots += 1;
    const names = [...(attributes ?? '').matchAll(/([A-Za-z_][\w:.-]*)\s*=\s*("[^"]*"|'[^']*')/g)];
    const seen = new Set<string>();
    for (const [, attr, value] of names) {
      if (attr && seen.has(attr)) problems.push(`<${name}> repeats attribute ${attr}`);
      if (attr) seen.add(attr);
      checkText((value ?? '').slice(1, -1), problems);
    }
    if (!selfClosing) stack.push(name);
  }
  checkText(xml.slice(last), problems);
  if (stack.length > 0) problems.push(`unclosed <${stack.join('>, <')}>`);
  if (roots !== 1) problems.push(`${roots} root elements`);
  return problems;
}

function checkText(text: string, problems: string[]): void {
  if (text.includes('<')) problems.push(`bare '<' in ${JSON.stringify(text.slice(0, 60))}`);
  const bareAmp = text.match(/&(?!(?:[A-Za-z]+|#\d+|#x[0-9A-Fa-f]+);)/);
  if (bareAmp) problems.push(`bare '&' in ${JSON.stringify(text.slice(0, 60))}`);
}
