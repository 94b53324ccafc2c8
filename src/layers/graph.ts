/**
 * The network as a graph (architecture §6): each layer reads the outputs named in its `inputs`
 * (`input` is the encoder; by default the layer before it), in an order where every input comes
 * earlier. Resolving it gives each layer its module, input indices and output shape, checked once
 * for the executor, the energy account and the app.
 */
import type { LayerSpec, NetworkSpec } from '../model/spec';
import { UnsupportedNetworkError } from './errors';
import { layerModule } from './registry';
import { positionalShape } from './shapes';
import { LayerShapeError, type LayerModule, type LayerSpecBase, type ValueShape } from './types';

/** The name by which a layer reads the encoder's output. */
export const INPUT_NAME = 'input';

export interface GraphNode {
  index: number;
  spec: LayerSpec;
  module: LayerModule<LayerSpecBase>;
  /** Index of the layer each input comes from; −1 is the encoder. */
  inputs: number[];
  shape: ValueShape;
}

export interface NetworkGraph {
  /** The encoder's output: `embeddingDim` channels, one token each. */
  input: ValueShape;
  nodes: GraphNode[];
  /** Widest span of any positional value: sentences are padded to at least this many tokens. */
  maxSpan: number;
  /** Narrowest span of the values the reducers read: chunks of positions are counted in its positions. */
  chunkSpan: number;
  /** A layer carries state along the positions (chunks then run in order, carrying it). */
  sequential: boolean;
}

/** A network the graph rules reject; `layer` and `field` locate the problem. */
export class NetworkGraphError extends Error {
  override name = 'NetworkGraphError';
  constructor(
    message: string,
    readonly layer: number | null,
    readonly field?: string,
    /** Another layer the message names where it says `{layer}`. */
    readonly other?: number,
  ) {
    super(message);
  }

  /** The message with the other layer named by `name`. */
  text(name: (index: number) => string): string {
    return this.other === undefined ? this.message : this.message.replace('{layer}', name(this.other));
  }
}

/** The input indices of layer `index` from its `inputs` (names of earlier layers), or the layer before. */
export function resolveInputs(layer: { name: string; inputs?: string[] }, index: number, names: Map<string, number>): number[] {
  if (layer.inputs === undefined) return [index - 1];
  return layer.inputs.map((name, k) => {
    if (name === INPUT_NAME) return -1;
    const source = names.get(name);
    if (source === undefined) throw new NetworkGraphError(`names no earlier layer (layers read the encoder as "${INPUT_NAME}" or layers listed before them)`, index, `inputs[${k}]`);
    return source;
  });
}

/**
 * Builds the graph from layer bases, calling `resolve` for each layer's spec once its input shapes
 * are known; throws `NetworkGraphError` for anything the graph rules reject.
 */
export function buildGraph(
  embeddingDim: number,
  bases: { kind: string; name: string; inputs?: string[] }[],
  resolve: (index: number, inputs: ValueShape[]) => LayerSpec,
): NetworkGraph {
  const input = positionalShape(new Array<number>(embeddingDim).fill(1));
  if (!bases.some((base) => layerModule(base.kind).reduces)) {
    throw new NetworkGraphError('must contain a pool layer: the readout counts the spikes of flat (pooled) outputs', null);
  }
  const names = new Map<string, number>();
  const nodes: GraphNode[] = [];
  bases.forEach((base, index) => {
    if (base.name === INPUT_NAME) throw new NetworkGraphError(`"${INPUT_NAME}" is the encoder's name; give the layer another`, index, 'name');
    const first = names.get(base.name);
    if (first !== undefined) throw new NetworkGraphError('is already the name of {layer}; give every layer its own name', index, 'name', first);
    const module = layerModule(base.kind);
    const inputs = resolveInputs(base, index, names);
    if (module.arity === 'one' && inputs.length !== 1) throw new NetworkGraphError(`a ${base.kind} layer reads exactly one input, got ${inputs.length}`, index, 'inputs');
    if (inputs.length === 0) throw new NetworkGraphError(`a ${base.kind} layer reads one or more inputs`, index, 'inputs');
    const shapes = inputs.map((source) => (source < 0 ? input : nodes[source].shape));
    let shape: ValueShape;
    let spec: LayerSpec;
    try {
      spec = resolve(index, shapes);
      shape = module.output(spec, shapes);
    } catch (error) {
      if (error instanceof LayerShapeError) throw new NetworkGraphError(error.message, index, error.field);
      throw error;
    }
    names.set(base.name, index);
    nodes.push({ index, spec, module, inputs, shape });
  });
  if (nodes.length === 0) throw new NetworkGraphError('the network has no layers', null);
  const readers = new Set(nodes.flatMap((node) => node.inputs));
  nodes.slice(0, -1).forEach((node) => {
    if (!readers.has(node.index)) throw new NetworkGraphError(`is read by no later layer; only the last layer's output is the network's`, node.index, 'name');
  });
  const last = nodes[nodes.length - 1];
  if (last.shape.positional) throw new NetworkGraphError('the network must pool over positions: the readout counts the spikes of flat (pooled) outputs', null);
  checkSequential(nodes);
  const positional = [input, ...nodes.filter((node) => node.shape.positional).map((node) => node.shape)];
  const reduced = nodes.filter((node) => node.module.reduces).flatMap((node) => node.inputs.map((source) => (source < 0 ? input : nodes[source].shape)));
  return {
    input,
    nodes,
    maxSpan: Math.max(...positional.map((shape) => shape.maxSpan)),
    chunkSpan: Math.min(...reduced.map((shape) => shape.minSpan)),
    sequential: nodes.some((node) => node.module.sequential),
  };
}

/**
 * A layer that carries state along the positions runs chunk by chunk, each chunk owning the
 * positions it computes; so no layer after it (before the pool) may widen what a position covers.
 */
function checkSequential(nodes: GraphNode[]): void {
  const downstream = new Set<number>();
  for (const node of nodes) {
    if (!node.shape.positional) continue;
    const fromSequential = node.inputs.filter((source) => source >= 0 && downstream.has(source));
    if (fromSequential.length > 0 && fromSequential.some((source) => nodes[source].shape.maxSpan !== node.shape.maxSpan)) {
      throw new NetworkGraphError(`a layer after a ${nodes[[...downstream][0]].spec.kind} layer may not widen the tokens a position covers`, node.index, 'kind');
    }
    if (node.module.sequential || fromSequential.length > 0) downstream.add(node.index);
  }
}

const graphs = new WeakMap<NetworkSpec, NetworkGraph>();

/** The graph of a validated network (cached per spec); a network the engine cannot run throws, naming the layer. */
export function networkGraph(spec: NetworkSpec): NetworkGraph {
  let graph = graphs.get(spec);
  if (!graph) {
    try {
      graph = buildGraph(spec.encoder.embeddingDim, spec.layers, (index) => spec.layers[index]);
    } catch (error) {
      if (!(error instanceof NetworkGraphError)) throw error;
      const layer = error.layer === null ? null : spec.layers[error.layer];
      const message = error.text((index) => `layer ${spec.layers[index].name}`);
      throw new UnsupportedNetworkError(layer ? `Layer ${layer.name} (${layer.kind})${error.field ? `, ${error.field}` : ''}: ${message}.` : `The network: ${message}.`);
    }
    graphs.set(spec, graph);
  }
  return graph;
}

export { UnsupportedNetworkError };

/** Tokens a sentence is padded to: the model's minimum, and enough for every position of every layer. */
export function minimumTokens(spec: NetworkSpec): number {
  return Math.max(spec.encoder.minLength, networkGraph(spec).maxSpan);
}

/** Shape of each layer's output for a padded token length, and how the app shows it. */
export interface LayerShape {
  layer: LayerSpec;
  /** Positions per sample; 1 for flat layers. */
  positions: number;
  channels: number;
  positional: boolean;
  /** Tokens each channel's positions cover (positional layers). */
  spans: number[];
  spiking: boolean;
  label: string;
}

/** Shapes of all layers of a network for `tokens` padded tokens. */
export function layerShapes(spec: NetworkSpec, tokens: number): LayerShape[] {
  return networkGraph(spec).nodes.map((node) => {
    const view = node.module.view(node.spec);
    return {
      layer: node.spec,
      positions: node.shape.positional ? Math.max(0, tokens - node.shape.minSpan + 1) : 1,
      channels: node.shape.channels,
      positional: node.shape.positional,
      spans: node.shape.spans,
      spiking: view.spiking,
      label: view.label,
    };
  });
}
