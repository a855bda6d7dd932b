import { describe, expect, it } from 'vitest';
import { percentText, ratioText } from '../src/results-summary.js';

describe('the terminal summary of results', () => {
  it('prints observed / null p99 so that it reads true: whole multiples whole, never 1.00x unless equal', () => {
    expect(ratioText(50)).toBe('50x');
    expect(ratioText(1)).toBe('1x');
    expect(ratioText(5 / 3)).toBe('1.67x');
    expect(ratioText(0.25)).toBe('0.250x');
    expect(ratioText(3999 / 4000)).toBe('0.9998x');
    expect(ratioText(4001 / 4000)).toBe('1.0003x');
  });

  it('prints a share as a percentage that is 0 only when it is', () => {
    expect(percentText(0)).toBe('0%');
    expect(percentText(3 / 16320)).toBe('0.018%');
    expect(percentText(0.125)).toBe('12.5%');
  });
});
