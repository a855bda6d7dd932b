import { describe, expect, it } from 'vitest';
import { RESULTS_FORMAT } from '../src/index.js';

describe('stats', () => {
  it('resolves the workspace source', () => {
    expect(RESULTS_FORMAT).toBe('moral-plantain/results@1');
  });
});
