import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { findLinearLayers, globToRegExp, selectLayers } from '../src/index.js';
import { flux2Stack } from './test-models.js';

const layers = findLinearLayers(flux2Stack({ channels: 16, joint: 12, single: 3 }));

describe('selectLayers', () => {
  it('orders matches by block number, not lexicographically', () => {
    const result = selectLayers(layers, { select: ['transformer_blocks.*.attn.to_out.0'] });
    expect(E.isRight(result) && result.right.map((s) => s.layer.module.split('.')[1])).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11']);
  });

  it('keeps selector order, then drops a layer selected twice', () => {
    const result = selectLayers(layers, { select: ['single_transformer_blocks.1.attn.to_out', 'single_transformer_blocks.*.attn.to_out'] });
    expect(E.isRight(result) && result.right.map((s) => s.layer.module)).toEqual([
      'single_transformer_blocks.1.attn.to_out',
      'single_transformer_blocks.0.attn.to_out',
      'single_transformer_blocks.2.attn.to_out',
    ]);
  });

  it('reports every selector that matches nothing at once, and an unknown preset', () => {
    const result = selectLayers(layers, { preset: 'sd3', select: ['blocks.*', 'transformer_blocks.*.attn.to_q'] });
    expect(E.isLeft(result) && result.left.map((e) => e._tag)).toEqual(['UnknownPreset', 'SelectorMatchedNothing', 'SelectorMatchedNothing']);
  });

  it('asks for a selection when given none', () => {
    const result = selectLayers(layers, {});
    expect(E.isLeft(result) && result.left[0]._tag).toBe('NothingSelected');
  });
});

describe('globToRegExp', () => {
  it('lets * match within one segment and ** across segments', () => {
    expect(globToRegExp('transformer_blocks.*.attn.to_out.0').test('transformer_blocks.12.attn.to_out.0')).toBe(true);
    expect(globToRegExp('transformer_blocks.*.to_out.0').test('transformer_blocks.12.attn.to_out.0')).toBe(false);
    expect(globToRegExp('**.to_out.0').test('transformer_blocks.12.attn.to_out.0')).toBe(true);
    expect(globToRegExp('transformer_blocks.*.attn.to_out').test('transformer_blocks.1.attn.to_out.0')).toBe(false);
  });
});
