import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { parseRunRecord } from '../src/index.js';

describe('parseRunRecord', () => {
  it('accepts an empty record (a card renders what it has)', () => {
    expect(E.isRight(parseRunRecord({}))).toBe(true);
  });

  it('reports every wrong field at once', () => {
    const parsed = parseRunRecord({ format: 'moral-plantain/run@9', model: { name: 3, kind: 'huge' }, protocol: { steps: 1, guidanceScale: 1, timestep: 1, seed: 0, unit: { width: 16, channels: 'some', count: 1 } }, packages: { a: 1 } });
    expect(E.isLeft(parsed) && parsed.left).toEqual([
      'format must be "moral-plantain/run@1" (got "moral-plantain/run@9")',
      'model.name must be a string',
      'model.kind must be one of "pretrained", "tiny-seeded", "random-init-control"',
      'protocol.unit.channels must be one of "all", "attention-only", "subset"',
      'packages entries "a" must be strings',
    ]);
  });

  it('keeps a quantized model\'s record per graph and names what is wrong in one', () => {
    const q = { op: 'MatMulNBits', bits: 8, blockSize: 128, symmetric: true, scaleType: 'float32', layers: ['transformer_blocks.*.attn.to_q'], quantizedLinears: 100, floatLinears: ['proj_out'] };
    const model = { name: 'klein', kind: 'pretrained', architecture: 'FLUX.2', attentionHeadDim: 128, files: [] };
    const parsed = parseRunRecord({ model: { ...model, quantization: { transformer: q, textEncoder: { ...q, floatLinears: [] } } } });
    expect(E.isRight(parsed) && parsed.right.model?.quantization).toEqual({ transformer: q, textEncoder: { ...q, floatLinears: [] } });
    const bad = parseRunRecord({ model: { ...model, quantization: { transformer: { ...q, bits: 3 } } } });
    expect(E.isLeft(bad) && bad.left.length).toBeGreaterThan(0);
    expect(E.isLeft(bad) && bad.left.join('\n')).toContain('model.quantization.transformer');
  });
});
