import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { describeReportError, parseProbeResults } from '../src/index.js';
import { publishedResults } from './fixtures/published-results.js';

const roundTrip = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe('parseProbeResults', () => {
  it('accepts a results@1 object after a trip through JSON', () => {
    const parsed = parseProbeResults(roundTrip(publishedResults()));
    expect(E.isRight(parsed) && parsed.right.nUnits).toBe(16320);
  });

  it('reports every problem at once, each with its path', () => {
    const broken = roundTrip(publishedResults()) as Record<string, unknown>;
    broken['format'] = 'moral-plantain/results@0';
    broken['nPairs'] = -1;
    (broken['permutation'] as Record<string, unknown>)['tail'] = 'sideways';
    (broken['thresholds'] as Record<string, unknown>[]).splice(1, 1, { ...publishedResults().thresholds[1], observed: 'many' });
    delete broken['maxAbsT'];
    const parsed = parseProbeResults(broken);
    expect(E.isLeft(parsed)).toBe(true);
    if (E.isRight(parsed) || parsed.left._tag !== 'InvalidResults') return;
    expect(parsed.left.problems).toEqual([
      'format must be "moral-plantain/results@1" (got "moral-plantain/results@0")',
      'nPairs must be a non-negative integer',
      'permutation.tail must be one of "two-sided", "greater", "less"',
      'thresholds[1].observed must be a non-negative integer',
      'maxAbsT must be an object',
    ]);
    expect(describeReportError(parsed.left).message).toContain('nPairs must be a non-negative integer; permutation.tail');
  });

  it('rejects unit columns of the wrong length and groups that do not cover the units', () => {
    const results = roundTrip(publishedResults()) as { units: { t: unknown[] }; groups: { units: number }[] };
    results.units.t.pop();
    results.groups.splice(0, 1, { ...publishedResults().groups[0], units: 1 });
    const parsed = parseProbeResults(results);
    expect(E.isLeft(parsed) && parsed.left._tag === 'InvalidResults' && parsed.left.problems).toEqual([
      'units.t has 16319 entries but nUnits is 16320',
      'groups cover 16129 units but nUnits is 16320',
    ]);
  });

  it('keeps the columns that say where units come from, checked like the others', () => {
    const n = publishedResults().nUnits;
    const origins = {
      module: Array.from({ length: n }, (_, i) => `blocks.${Math.floor(i / 192)}.attn.to_out`),
      block: Array.from({ length: n }, (_, i) => `joint[${Math.floor(i / 192)}]`),
      indexInBlock: Array.from({ length: n }, (_, i) => i % 192),
      channelStart: Array.from({ length: n }, (_, i) => 16 * (i % 192)),
      channelEnd: Array.from({ length: n }, (_, i) => 16 * (i % 192) + 16),
    };
    const results = roundTrip({ ...publishedResults(), units: { ...publishedResults().units, ...origins } });
    const parsed = parseProbeResults(results);
    if (E.isLeft(parsed)) throw new Error(JSON.stringify(parsed.left));
    expect(parsed.right.units).toMatchObject(origins);
    const broken = roundTrip(results) as { units: { channelEnd: unknown[] } };
    broken.units.channelEnd[3] = 2.5;
    const refused = parseProbeResults(broken);
    expect(E.isLeft(refused) && refused.left._tag === 'InvalidResults' && refused.left.problems).toEqual([
      'units.channelEnd[3] must be a non-negative integer',
    ]);
    const short = roundTrip(results) as { units: { block: unknown[] } };
    short.units.block.pop();
    const shortParsed = parseProbeResults(short);
    expect(E.isLeft(shortParsed) && shortParsed.left._tag === 'InvalidResults' && shortParsed.left.problems).toEqual([`units.block has ${n - 1} entries but nUnits is ${n}`]);
  });

  it('caps per-item problems in a long column', () => {
    const results = roundTrip(publishedResults()) as { units: { d: unknown[] } };
    results.units.d = results.units.d.map(() => 'x');
    const parsed = parseProbeResults(results);
    expect(E.isLeft(parsed) && parsed.left._tag === 'InvalidResults' && parsed.left.problems).toEqual([
      'units.d[0] must be a finite number',
      'units.d[1] must be a finite number',
      'units.d[2] must be a finite number',
      'units.d[3] must be a finite number',
      'units.d[4] must be a finite number',
      'units.d has 16315 more bad entries',
    ]);
  });

  it('refuses p-values, q-values and fractions outside [0, 1], negative counts of spread and r outside [-1, 1]', () => {
    const results = roundTrip(publishedResults()) as {
      units: { pPermutation: unknown[]; qFdr: unknown[]; sdDiff: unknown[] };
      thresholds: Record<string, unknown>[];
      splitHalf: Record<string, unknown>;
      maxAbsT: Record<string, unknown>;
    };
    results.units.pPermutation[7] = 1.5;
    results.units.qFdr[3] = -0.1;
    results.units.sdDiff[2] = -1;
    results.thresholds[0]!['fraction'] = 2;
    results.thresholds[0]!['p'] = -0.5;
    results.splitHalf['median'] = 1.2;
    results.maxAbsT['value'] = -3;
    const parsed = parseProbeResults(results);
    expect(E.isLeft(parsed) && parsed.left._tag === 'InvalidResults' && parsed.left.problems).toEqual([
      'units.sdDiff[2] must not be negative (got -1)',
      'units.pPermutation[7] must be from 0 to 1 (got 1.5)',
      'units.qFdr[3] must be from 0 to 1 (got -0.1)',
      'thresholds[0].fraction must be from 0 to 1 (got 2)',
      'thresholds[0].p must be from 0 to 1 (got -0.5)',
      'maxAbsT.value must not be negative (got -3)',
      'splitHalf.median must be from -1 to 1 (got 1.2)',
    ]);
  });

  it('reads the near-constant units when results record them, and refuses a list that does not fit the units', () => {
    const results = { ...publishedResults(), nearConstant: { units: [3, 7], roundoffs: 1024, precision: 'float32' as const, absD: 16384 } };
    const parsed = parseProbeResults(roundTrip(results));
    expect(E.isRight(parsed) && parsed.right.nearConstant).toEqual(results.nearConstant);
    const bad = parseProbeResults(roundTrip({ ...results, nearConstant: { ...results.nearConstant, units: [7, 3, 16320], precision: 'float16' } }));
    expect(E.isLeft(bad) && bad.left._tag === 'InvalidResults' && bad.left.problems).toEqual(['nearConstant.precision must be one of "float32", "float64"']);
    const outOfRange = parseProbeResults(roundTrip({ ...results, nearConstant: { ...results.nearConstant, units: [7, 3, 16320] } }));
    expect(E.isLeft(outOfRange) && outOfRange.left._tag === 'InvalidResults' && outOfRange.left.problems).toEqual(['nearConstant.units must be ascending unit indices below nUnits (16320)']);
  });
});
