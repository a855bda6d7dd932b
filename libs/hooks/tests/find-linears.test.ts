import { describe, expect, it } from 'vitest';
import { findLinearLayers, modulePathFromMetadata, modulePathFromNodeName, modulePathFromWeightName, onnxSchemas } from '../src/index.js';
import { create } from '@bufbuild/protobuf';
import { dynamoShaped, flux2Stack, matMulNBitsModel, torchScriptShaped } from './test-models.js';

describe('findLinearLayers', () => {
  it('recovers module paths from TorchScript scoped node names when weights are anonymous', () => {
    const layers = findLinearLayers(torchScriptShaped(24));
    expect(layers.map((l) => [l.module, l.moduleSource, l.op, l.inputWidth, l.node, l.weight])).toEqual([
      ['transformer_blocks.0.attn.to_out.0', 'node-name', 'MatMul', 24, '/transformer_blocks.0/attn/to_out.0/MatMul', 'onnx::MatMul_1234'],
      ['transformer_blocks.0.ff.net.2', 'node-name', 'MatMul', 24, '/transformer_blocks.0/ff/net.2/MatMul', 'onnx::MatMul_1240'],
    ]);
  });

  it('follows Transpose to named [out, in] weights and reads dynamo metadata scopes, honouring Gemm transB', () => {
    const layers = findLinearLayers(dynamoShaped(8));
    expect(layers.map((l) => [l.module, l.moduleSource, l.op, l.inputWidth])).toEqual([
      ['blocks.1.mlp.fc1', 'weight-name', 'MatMul', 8],
      ['blocks.1.mlp.fc2', 'node-metadata', 'Gemm', 16],
    ]);
  });

  it('finds MatMulNBits projections with their K as input width', () => {
    const [layer] = findLinearLayers(matMulNBitsModel(64, 48));
    expect(layer).toMatchObject({ module: 'single_transformer_blocks.0.attn.to_out', op: 'MatMulNBits', inputWidth: 64, moduleSource: 'weight-name' });
  });

  it('ignores MatMuls between two activations (attention scores)', () => {
    const layers = findLinearLayers(flux2Stack({ channels: 16, joint: 1, single: 1 }));
    expect(layers.map((l) => l.module)).toEqual([
      'transformer_blocks.0.attn.to_v',
      'transformer_blocks.0.attn.to_out.0',
      'single_transformer_blocks.0.attn.to_qkv_mlp_proj',
      'single_transformer_blocks.0.attn.to_out',
    ]);
    expect(layers.map((l) => l.inputWidth)).toEqual([16, 16, 16, 64]);
  });
});

describe('module path recovery', () => {
  it('reads scoped node names', () => {
    expect(modulePathFromNodeName('/single_transformer_blocks.3/attn/to_out/MatMul')).toBe('single_transformer_blocks.3.attn.to_out');
    expect(modulePathFromNodeName('MatMul_12')).toBeUndefined();
    expect(modulePathFromNodeName('/MatMul')).toBeUndefined();
  });

  it('reads parameter names, quantized suffixes included, and skips anonymous names', () => {
    expect(modulePathFromWeightName('transformer_blocks.0.attn.to_out.0.weight')).toBe('transformer_blocks.0.attn.to_out.0');
    expect(modulePathFromWeightName('a.b.weight_Q4')).toBe('a.b');
    expect(modulePathFromWeightName('onnx::MatMul_1234')).toBeUndefined();
    expect(modulePathFromWeightName('val_12')).toBeUndefined();
  });

  it('reads the dynamo name_scopes metadata, dropping the node name entry', () => {
    const node = create(onnxSchemas().node, { metadataProps: [{ key: 'pkg.torch.onnx.name_scopes', value: "['', 'network', 'network.0', 'linear']" }] });
    expect(modulePathFromMetadata(node)).toBe('network.0');
  });
});
