import { networkGraph } from '../layers/graph';
import type { NetworkSpec } from '../model/spec';

/** The weight tensors in the layout the kernels read, as each layer's module lays them out (e.g. a convolution's branches concatenated). */
export function kernelWeights(spec: NetworkSpec, weights: Map<string, Float32Array>): Map<string, Float32Array> {
  const stored = (name: string): Float32Array => {
    const tensor = weights.get(name);
    if (!tensor) throw new Error(`The model has no weight tensor ${name}.`);
    return tensor;
  };
  const graph = networkGraph(spec);
  const out = new Map<string, Float32Array>();
  for (const node of graph.nodes) {
    const inputs = node.inputs.map((source) => (source < 0 ? graph.input : graph.nodes[source].shape));
    const resident = node.module.resident?.(node.spec, stored) ?? node.module.tensors(node.spec, inputs).map(({ name }): [string, Float32Array] => [name, stored(name)]);
    for (const [name, tensor] of resident) out.set(name, tensor);
  }
  return out;
}
