import { describe, expect, it } from 'vitest';
import type { ProbeResults } from '@moral-plantain/stats';
import { renderResultsTable, renderTopBlocksLine, significanceText, topBlocks } from '../src/index.js';
import { publishedResults } from './fixtures/published-results.js';

describe('results table', () => {
  it('says "above empirical null p99 = 0" when the null p99 is 0 and some units exceed the threshold', () => {
    const results = publishedResults();
    const zero: ProbeResults = {
      ...results,
      thresholds: [{ stat: 't', value: 8, observed: 12, fraction: 12 / 16320, nullP95: 0, nullP99: 0, ratioToNullP99: null, p: 0.001 }],
    };
    expect(renderResultsTable(zero)[2]).toBe('| units with \\|t\\| > 8 | 12 (0.1%) | above empirical null p99 = 0 |');
    const [only] = zero.thresholds;
    if (!only) throw new Error('fixture has a threshold');
    expect(significanceText({ ...only, observed: 0, fraction: 0 })).toBe('none observed; empirical null p99 = 0');
  });

  it('shows the null ratio for |d| rows when asked', () => {
    const rows = renderResultsTable(publishedResults(), { significanceFor: ['t', 'd'] });
    expect(rows[4]).toBe('| units with \\|d\\| > 0.8 | 1,386 (8.5%) | 34x empirical null p99 |');
  });

  it('renders a missing split-half and an undefined max |t| as such', () => {
    const results: ProbeResults = { ...publishedResults(), splitHalf: null, maxAbsT: { value: null, unit: null, group: null } };
    const rows = renderResultsTable(results);
    expect(rows).toContain('| split-half r | not computed | - |');
    expect(rows.at(-1)).toBe('| max \\|t\\| | n/a | - |');
  });
});

describe('top blocks', () => {
  it('ranks blocks by max |t|, keeps file order on ties and puts undefined maxima last', () => {
    const base = publishedResults();
    const results: ProbeResults = {
      ...base,
      groups: [
        { name: 'a', units: 1, maxAbsT: null, countAbsTOver3: 0, medianAbsD: null },
        { name: 'b', units: 1, maxAbsT: 2, countAbsTOver3: 0, medianAbsD: 0.1 },
        { name: 'c', units: 1, maxAbsT: 7, countAbsTOver3: 1, medianAbsD: 0.2 },
        { name: 'd', units: 1, maxAbsT: 2, countAbsTOver3: 0, medianAbsD: 0.1 },
      ],
    };
    expect(topBlocks(results, 4).map((g) => g.name)).toEqual(['c', 'b', 'd', 'a']);
    expect(renderTopBlocksLine(results, 2)).toBe('Top blocks by max |t|: c 7.00 (1/1 over 3, median |d| 0.20); b 2.00 (0/1, 0.10).');
  });

  it('escapes Markdown in block names', () => {
    const results: ProbeResults = {
      ...publishedResults(),
      groups: [{ name: 'x*y_[z](http://e)', units: 16320, maxAbsT: 3, countAbsTOver3: 0, medianAbsD: 0.1 }],
    };
    expect(renderTopBlocksLine(results, 1)).toContain('x\\*y\\_[z\\](http\\://e)');
  });
});
