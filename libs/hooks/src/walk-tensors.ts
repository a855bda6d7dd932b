import type { GraphProto, ModelProto, NodeProto, TensorProto } from './onnx-types.js';

/** Every TensorProto of a model: initializers, sparse initializers, tensor attributes, subgraphs and functions. */
export function allTensors(model: ModelProto): TensorProto[] {
  const found: TensorProto[] = [];
  if (model.graph) collectGraph(model.graph, found);
  for (const fn of model.functions) for (const node of fn.node) collectNode(node, found);
  for (const info of model.trainingInfo) {
    if (info.initialization) collectGraph(info.initialization, found);
    if (info.algorithm) collectGraph(info.algorithm, found);
  }
  return found;
}

function collectGraph(graph: GraphProto, found: TensorProto[]): void {
  found.push(...graph.initializer);
  for (const sparse of graph.sparseInitializer) {
    if (sparse.values) found.push(sparse.values);
    if (sparse.indices) found.push(sparse.indices);
  }
  for (const node of graph.node) collectNode(node, found);
}

function collectNode(node: NodeProto, found: TensorProto[]): void {
  for (const attribute of node.attribute) {
    if (attribute.t) found.push(attribute.t);
    found.push(...attribute.tensors);
    if (attribute.g) collectGraph(attribute.g, found);
    for (const graph of attribute.graphs) collectGraph(graph, found);
  }
}
