import { describe, expect, it } from 'vitest';
import { batchCount, partBatches } from '../../src/index.js';

describe('the parts of a divided probe run', () => {
  it('cover every batch once, in order, in contiguous ranges whose sizes differ by at most one', () => {
    for (let batches = 0; batches <= 30; batches++) {
      for (let count = 1; count <= 12; count++) {
        const parts = Array.from({ length: count }, (_, index) => partBatches(batches, { index, count }));
        expect(parts[0]!.first).toBe(0);
        expect(parts.at(-1)!.end).toBe(batches);
        for (let i = 1; i < count; i++) expect(parts[i]!.first).toBe(parts[i - 1]!.end);
        const sizes = parts.map((p) => p.end - p.first);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }
    }
  });

  it('counts batches of a run as its prompts, batch size at a time', () => {
    expect(batchCount(50, 1)).toBe(50);
    expect(batchCount(50, 4)).toBe(13);
    expect(partBatches(13, { index: 2, count: 4 })).toEqual({ first: 6, end: 9 });
  });
});
