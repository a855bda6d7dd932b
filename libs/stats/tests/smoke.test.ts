import { describe, expect, it } from 'vitest';
import { version } from '../src/index.js';

describe('stats', () => {
  it('resolves the workspace source', () => {
    expect(version).toBe('0.1.0');
  });
});
