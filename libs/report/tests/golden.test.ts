import { describe, expect, it } from 'vitest';
import { renderResultsTable, renderTopBlocksLine } from '../src/index.js';
import { PUBLISHED_TABLE, PUBLISHED_TOP_BLOCKS, publishedResults } from './fixtures/published-results.js';

describe('golden: the published moral-plantain result', () => {
  const results = publishedResults();

  it('builds a fixture whose unit columns agree with the published summaries', () => {
    const t = results.units.t.map((x) => Math.abs(x ?? 0));
    const d = results.units.d.map((x) => Math.abs(x ?? 0));
    expect(results.nUnits).toBe(16320);
    expect(t.filter((x) => x > 3)).toHaveLength(3221);
    expect(t.filter((x) => x > 5)).toHaveLength(509);
    expect(d.filter((x) => x > 0.8)).toHaveLength(1386);
    expect(Math.max(...t)).toBe(10.05);
    let offset = 0;
    for (const group of results.groups) {
      const slice = t.slice(offset, offset + group.units).sort((a, b) => a - b);
      offset += group.units;
      expect(slice.filter((x) => x > 3)).toHaveLength(group.countAbsTOver3);
      expect(Math.max(...slice)).toBeCloseTo(group.maxAbsT ?? NaN, 12);
      const median = ((slice[group.units / 2 - 1] ?? 0) + (slice[group.units / 2] ?? 0)) / 2 / 5;
      expect(median).toBeCloseTo(group.medianAbsD ?? NaN, 12);
    }
    expect(offset).toBe(16320);
  });

  it('reproduces the published Results table line for line', () => {
    expect(renderResultsTable(results)).toEqual(PUBLISHED_TABLE);
  });

  it('reproduces the published Top blocks list', () => {
    expect(renderTopBlocksLine(results)).toBe(PUBLISHED_TOP_BLOCKS);
  });
});
