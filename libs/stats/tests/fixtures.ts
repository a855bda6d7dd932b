import { readFileSync } from 'node:fs';

/** Reads a committed reference fixture (made by tools/stats-fixtures/generate.py). */
export function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as T;
}

/** Expects |actual - expected| <= rtol * max(|expected|, tiny), elementwise, with nulls matching. */
export function closeRel(actual: readonly (number | null)[], expected: readonly (number | null)[], rtol: number): string[] {
  const problems: string[] = [];
  expected.forEach((e, i) => {
    const a = actual[i];
    if (e === null || a === null || a === undefined) {
      if (e !== a) problems.push(`[${i}] expected ${e}, got ${a}`);
    } else if (Math.abs(a - e) > rtol * Math.max(Math.abs(e), 1e-300)) {
      problems.push(`[${i}] expected ${e}, got ${a}`);
    }
  });
  return problems;
}
