import { describe, expect, it } from 'vitest';
import type { ProbeResults } from '@moral-plantain/stats';
import { csvField, renderUnitCsv, UNIT_CSV_COLUMNS } from '../src/index.js';
import { publishedResults } from './fixtures/published-results.js';

/** An RFC 4180 reader written for the test: records end in CRLF, quoted fields may hold commas, quotes and line breaks. */
function readCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (c === '"') {
        quoted = false;
        i += 1;
      } else {
        field += c;
        i += 1;
      }
    } else if (c === '"') {
      quoted = true;
      i += 1;
    } else if (c === ',') {
      record.push(field);
      field = '';
      i += 1;
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i += 2;
    } else {
      field += c;
      i += 1;
    }
  }
  if (field !== '' || record.length > 0) throw new Error('last record not terminated by CRLF');
  return records;
}

describe('per-unit CSV', () => {
  it('writes one CRLF-terminated record per unit with the header first', () => {
    const results = publishedResults();
    const records = readCsv(renderUnitCsv(results));
    expect(records[0]).toEqual([...UNIT_CSV_COLUMNS]);
    expect(records).toHaveLength(16321);
    expect(records.every((r) => r.length === 14)).toBe(true);
    // The columns of the first CSV version come first, in their order: readers by position keep working.
    expect(UNIT_CSV_COLUMNS.slice(0, 8)).toEqual(['unit', 'group', 't', 'd', 'meanDiff', 'pPermutation', 'pFwer', 'qFdr']);
  });

  it('writes sdDiff and where each unit comes from when the results say so, empty cells when not', () => {
    const base = publishedResults();
    const module = Array.from({ length: base.nUnits }, (_, i) => (i < 960 ? `transformer_blocks.${Math.floor(i / 192)}.attn.to_out.0` : `single_transformer_blocks.${Math.floor((i - 960) / 768)}.attn.to_out`));
    const block = Array.from({ length: base.nUnits }, (_, i) => (i < 960 ? `joint[${Math.floor(i / 192)}]` : `single[${Math.floor((i - 960) / 768)}]`));
    const indexInBlock = Array.from({ length: base.nUnits }, (_, i) => (i < 960 ? i % 192 : (i - 960) % 768));
    const channelStart = indexInBlock.map((k) => 16 * k);
    const channelEnd = channelStart.map((c) => c + 16);
    const results: ProbeResults = { ...base, units: { ...base.units, module, block, indexInBlock, channelStart, channelEnd } };
    const records = readCsv(renderUnitCsv(results));
    const column = (name: string) => records[0]!.indexOf(name);
    for (const i of [0, 191, 192, 960, 16319]) {
      const row = records[i + 1]!;
      expect(Number(row[column('sdDiff')])).toBe(base.units.sdDiff[i]);
      expect(row[column('module')]).toBe(module[i]);
      expect(row[column('block')]).toBe(block[i]);
      expect(Number(row[column('indexInBlock')])).toBe(indexInBlock[i]);
      expect(Number(row[column('channelStart')])).toBe(channelStart[i]);
      expect(Number(row[column('channelEnd')])).toBe(channelEnd[i]);
    }
    expect(records[1]!.slice(9)).toEqual(['transformer_blocks.0.attn.to_out.0', 'joint[0]', '0', '0', '16']);
    expect(records[16320]!.slice(9)).toEqual(['single_transformer_blocks.19.attn.to_out', 'single[19]', '767', '12272', '12288']);
    // Without a taps manifest behind the results, nothing is made up.
    expect(renderUnitCsv(base).split('\r\n').slice(1, -1).every((line) => line.endsWith(',,,,,'))).toBe(true);
  });

  it('round-trips every statistic exactly and labels units with their block', () => {
    const results = publishedResults();
    const records = readCsv(renderUnitCsv(results)).slice(1);
    for (const i of [0, 191, 192, 960, 16319]) {
      const [unit, group, t, d, meanDiff, p, fwer, q] = records[i] ?? [];
      expect(Number(unit)).toBe(i);
      expect(Number(t)).toBe(results.units.t[i]);
      expect(Number(d)).toBe(results.units.d[i]);
      expect(Number(meanDiff)).toBe(results.units.meanDiff[i]);
      expect(Number(p)).toBe(results.units.pPermutation[i]);
      expect(Number(fwer)).toBe(results.units.pFwer[i]);
      expect(Number(q)).toBe(results.units.qFdr[i]);
      expect(group).toBe(i < 960 ? `joint[${Math.floor(i / 192)}]` : `single[${Math.floor((i - 960) / 768)}]`);
    }
  });

  it('leaves undefined statistics empty and quotes labels with commas, quotes and line breaks', () => {
    const base = publishedResults();
    const nUnits = 3;
    const results: ProbeResults = {
      ...base,
      nUnits,
      units: { t: [null, 1.5, -2], d: [null, 0.3, -0.4], meanDiff: [0, 0.1, -0.2], sdDiff: [0, 1, 1], pPermutation: [null, 0.2, 0.05], pFwer: [null, 1, 0.5], qFdr: [null, 0.4, 0.1] },
      groups: [
        { name: 'a, "b"\nc', units: 2, maxAbsT: 1.5, countAbsTOver3: 0, medianAbsD: 0.3 },
        { name: '=HYPERLINK("x")', units: 1, maxAbsT: 2, countAbsTOver3: 0, medianAbsD: 0.4 },
      ],
    };
    const text = renderUnitCsv(results);
    expect(text.split('\r\n')[1]).toBe('0,"a, ""b""\nc",,,0,,,,0,,,,,');
    const records = readCsv(text);
    expect(records[1]).toEqual(['0', 'a, "b"\nc', '', '', '0', '', '', '', '0', '', '', '', '', '']);
    expect(records[3]?.[1]).toBe('\'=HYPERLINK("x")');
    expect(csvField('plain')).toBe('plain');
  });
});
