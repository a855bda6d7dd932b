import type { ModelProto, NodeProto, TensorProto } from '@moral-plantain/hooks';
import { dequantizeMatMulNBits, type DequantizedWeight } from '@moral-plantain/references';

/** A MatMulNBits node of a built graph with its weight read back by the reference dequantizer. */
export interface DequantizedLinear {
  readonly node: NodeProto;
  /** The float weight's name (`<module>.weight`), from the `_Q<bits>` initializer's. */
  readonly weightName: string;
  readonly k: number;
  readonly n: number;
  readonly bits: number;
  readonly blockSize: number;
  readonly dequantized: DequantizedWeight;
}

/** Every MatMulNBits node of an in-memory model (initializers inside the graph), its weight dequantized by the reference. */
export function dequantizedLinears(model: ModelProto): DequantizedLinear[] {
  const graph = model.graph;
  if (!graph) return [];
  const initializers = new Map(graph.initializer.map((t) => [t.name, t]));
  const raw = (name: string | undefined): Uint8Array => {
    const tensor = initializers.get(name ?? '') as TensorProto | undefined;
    if (!tensor) throw new Error(`no initializer ${name}`);
    return tensor.rawData;
  };
  return graph.node
    .filter((node) => node.opType === 'MatMulNBits' && node.domain === 'com.microsoft')
    .map((node) => {
      const attribute = (name: string): number => Number(node.attribute.find((a) => a.name === name)?.i ?? Number.NaN);
      const [k, n, bits, blockSize] = [attribute('K'), attribute('N'), attribute('bits'), attribute('block_size')];
      const scaleBytes = raw(node.input[2]);
      const scales = new Float32Array(scaleBytes.slice().buffer);
      const zeroPoints = node.input[3] ? raw(node.input[3]) : undefined;
      const dequantized = dequantizeMatMulNBits({ k, n, bits, blockSize, data: raw(node.input[1]), scales, ...(zeroPoints ? { zeroPoints } : {}) });
      return { node, weightName: (node.input[1] as string).replace(/_Q\d+$/u, ''), k, n, bits, blockSize, dequantized };
    });
}
