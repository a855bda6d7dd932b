import { describe, expect, it } from 'vitest';
import { formatCount, formatFixed, formatP, formatPercent, formatRatio, formatThreshold } from '../src/index.js';

describe('number formats of the published card', () => {
  it('writes counts with en-US thousands separators', () => {
    expect(formatCount(3221)).toBe('3,221');
    expect(formatCount(509)).toBe('509');
    expect(formatCount(16320)).toBe('16,320');
    expect(formatCount(1234567)).toBe('1,234,567');
  });

  it('writes percentages with one decimal', () => {
    expect(formatPercent(3221 / 16320)).toBe('19.7%');
    expect(formatPercent(509 / 16320)).toBe('3.1%');
    expect(formatPercent(1386 / 16320)).toBe('8.5%');
    expect(formatPercent(0)).toBe('0.0%');
    expect(formatPercent(1)).toBe('100.0%');
  });

  it('writes ratios with one decimal below 10 and as whole numbers from 10 up', () => {
    expect(formatRatio(3221 / 503)).toBe('6.4x');
    expect(formatRatio(509 / 5)).toBe('102x');
    expect(formatRatio(9.94)).toBe('9.9x');
    expect(formatRatio(9.96)).toBe('10x');
    expect(formatRatio(1.0)).toBe('1.0x');
    expect(formatRatio(12345.4)).toBe('12,345x');
  });

  it('writes fixed decimals, n/a for null and never a negative zero', () => {
    expect(formatFixed(10.05, 2)).toBe('10.05');
    expect(formatFixed(0.6, 2)).toBe('0.60');
    expect(formatFixed(0.573, 3)).toBe('0.573');
    expect(formatFixed(null, 2)).toBe('n/a');
    expect(formatFixed(Number.NaN, 2)).toBe('n/a');
    expect(formatFixed(-0.001, 2)).toBe('0.00');
  });

  it('writes thresholds in their shortest form and p-values with a floor', () => {
    expect(formatThreshold(3)).toBe('3');
    expect(formatThreshold(0.8)).toBe('0.8');
    expect(formatThreshold(1000)).toBe('1000');
    expect(formatP(0.0449)).toBe('0.0449');
    expect(formatP(0.5)).toBe('0.5');
    expect(formatP(1 / 1001)).toBe('< 0.001');
    expect(formatP(null)).toBe('n/a');
  });
});
