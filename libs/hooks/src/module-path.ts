import type { NodeProto } from './onnx-types.js';

/** Metadata key under which PyTorch's dynamo exporter records a node's module scopes. */
export const TORCH_NAME_SCOPES_KEY = 'pkg.torch.onnx.name_scopes';

/**
 * The module path in a TorchScript-style scoped node name:
 * `/transformer_blocks.0/attn/to_out.0/MatMul` -> `transformer_blocks.0.attn.to_out.0`.
 */
export function modulePathFromNodeName(name: string): string | undefined {
  if (!name.startsWith('/')) return undefined;
  const segments = name.split('/').filter((s) => s !== '');
  return segments.length >= 2 ? segments.slice(0, -1).join('.') : undefined;
}

/**
 * The module path in dynamo-exporter node metadata: `pkg.torch.onnx.name_scopes` holds the Python
 * repr of the cumulative scopes, `['', 'blocks.2', 'blocks.2.mlp', 'blocks.2.mlp.fc1', 'linear_8']`,
 * whose last entry is the node's own name.
 */
export function modulePathFromMetadata(node: NodeProto): string | undefined {
  const raw = node.metadataProps.find((entry) => entry.key === TORCH_NAME_SCOPES_KEY)?.value;
  if (raw === undefined) return undefined;
  const scopes = [...raw.matchAll(/'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1] ?? m[2] ?? '');
  const modules = scopes.slice(0, -1).filter((s) => s !== '');
  return modules.at(-1);
}

/**
 * The module path in a parameter name: `transformer_blocks.0.attn.to_out.0.weight` ->
 * `transformer_blocks.0.attn.to_out.0` (also quantized variants such as `.weight_Q4` or `.qweight`).
 * Anonymous exporter names (`onnx::MatMul_1234`, `val_12`) give undefined.
 */
export function modulePathFromWeightName(name: string): string | undefined {
  if (name.includes('::') || name.includes('/')) return undefined;
  const match = /^(.+?)\.(?:weight|qweight|weight_[A-Za-z0-9_]+)$/.exec(name.replace(/^p_/, ''));
  return match?.[1];
}
