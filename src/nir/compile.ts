/**
 * Turns a NIR graph into a program of discrete time steps (architecture §10.2): nested graphs are
 * flattened into one list of nodes named by their path (`outer.inner`), every node's shape is
 * inferred and checked, the nodes are put in an order in which each one's sources come first
 * except along recurrent edges (which carry the previous step's value), and the neurons' ODEs are
 * discretised with forward Euler at `dt`. The CPU reference (`reference.ts`) and the GPU executor
 * (`gpu.ts`) run the same program.
 */
import {
  NIR_NEURON_TYPES,
  NIR_SPIKING_TYPES,
  NirFormatError,
  type NirArray,
  type NirConv,
  type NirGraph,
  type NirNode,
  type NirPool,
} from './types';

/**
 * How a spiking neuron resets after it fires (z = 1):
 * - `zero`: v ← v_reset at once (the NIR specification; Norse);
 * - `subtract`: v ← v − v_threshold at once (SpikingJelly's soft reset, Sinabs, Rockpool);
 * - `subtract-delayed`: v_threshold is subtracted at the next step, after the leak:
 *   v ← a·v + b·I + c − v_threshold·z(t−1) (snnTorch's default, reset_delay=True). The potential
 *   recorded after a step is then the one before its reset, as snnTorch reports it.
 */
export type NirReset = 'zero' | 'subtract' | 'subtract-delayed';

export const NIR_RESETS: readonly NirReset[] = ['zero', 'subtract', 'subtract-delayed'];

/** The most elements of one node's value. */
export const MAX_NIR_NODE_ELEMENTS = 16_777_216;
/** The most steps of a run. */
export const MAX_NIR_STEPS = 1_000_000;

/** Floats per neuron in `NeuronOp.params`: a, b, c, v_threshold, v_reset, a_syn, b_syn, (unused). */
export const NEURON_PARAMS = 8;

export type NirOp =
  | { kind: 'input' }
  /** Output, Flatten and the Input/Output nodes of nested graphs: the value passes unchanged. */
  | { kind: 'identity' }
  /** y = W·x (+ b), W `[rows][cols]` row-major. */
  | { kind: 'affine'; weight: Float32Array; bias: Float32Array | null; rows: number; cols: number }
  | { kind: 'scale'; scale: Float32Array }
  /** y = x > θ ? 1 : 0 */
  | { kind: 'threshold'; threshold: Float32Array }
  /** Also SumPool2d and AvgPool2d: a convolution per channel with weights 1 (or 1 / window). */
  | ({ kind: 'conv'; weight: Float32Array; bias: Float32Array } & ConvGeometry)
  /** y(t) = x(t − steps[i]) per element; `depth` = max(steps) + 1 values are kept per element. */
  | { kind: 'delay'; steps: Uint32Array; depth: number }
  | NeuronOp;

/**
 * A neuron layer, discretised per element: with a synapse, i ← a_syn·i + b_syn·x and the drive is i
 * (the new current, as snnTorch's Synaptic does), else the drive is x; then v ← a·v + b·drive + c;
 * a spiking neuron fires when v > v_threshold and resets (`NirReset`). Its output is the spike, or v.
 */
export interface NeuronOp {
  kind: 'neuron';
  model: 'I' | 'IF' | 'LI' | 'LIF' | 'CubaLI' | 'CubaLIF';
  spiking: boolean;
  synaptic: boolean;
  /** NEURON_PARAMS floats per element. */
  params: Float32Array;
}

export interface ConvGeometry {
  inChannels: number;
  outChannels: number;
  groups: number;
  inH: number;
  inW: number;
  outH: number;
  outW: number;
  kernelH: number;
  kernelW: number;
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
  dilationH: number;
  dilationW: number;
}

export interface NirProgramNode {
  /** The node's path in the graph: `name`, or `graph.name` inside a nested graph. */
  path: string;
  /** The NIR type the node was read as. */
  type: NirNode['type'];
  shape: number[];
  size: number;
  /** Summed into the node's input; `previous` edges read the source's value of the step before. */
  inputs: { source: number; previous: boolean }[];
  op: NirOp;
}

export interface NirProgram {
  dt: number;
  reset: NirReset;
  /** Nodes in evaluation order. */
  nodes: NirProgramNode[];
  /** Index of the graph's input node. */
  input: number;
  /** Indices of the top-level Output nodes. */
  outputs: number[];
  /** Things a person should know (unstable time constants, unreachable nodes). */
  warnings: string[];
}

interface FlatNode {
  path: string;
  node: Exclude<NirNode, NirGraph>;
  /** The Input/Output of a nested graph, which only passes values through. */
  nested: boolean;
}

const product = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

/** Compiles `graph` for a time step of `dt` seconds. */
export function compileNir(graph: NirGraph, options: { dt: number; reset: NirReset }): NirProgram {
  const { dt, reset } = options;
  if (!(dt > 0) || !Number.isFinite(dt)) throw new NirFormatError(`dt must be a positive number of seconds, got ${dt}`);
  const flat: FlatNode[] = [];
  const edges: [string, string][] = [];
  flatten(graph, '', flat, edges, false);
  const index = new Map(flat.map((n, i) => [n.path, i]));
  const outgoing: number[][] = flat.map(() => []);
  const incoming: number[][] = flat.map(() => []);
  for (const [from, to] of edges) {
    const a = index.get(from)!;
    const b = index.get(to)!;
    outgoing[a].push(b);
    incoming[b].push(a);
  }
  const inputs = flat.map((n, i) => (n.node.type === 'Input' && !n.nested ? i : -1)).filter((i) => i >= 0);
  if (inputs.length !== 1) {
    throw new NirFormatError(inputs.length === 0 ? 'the graph has no Input node' : `the graph has ${inputs.length} Input nodes (${inputs.map((i) => flat[i].path).join(', ')}); Spikescope runs graphs with one`);
  }
  for (const i of inputs) if (incoming[i].length > 0) throw new NirFormatError(`the Input node '${flat[i].path}' has incoming edges`);

  // Depth-first from the input: reverse post-order is the evaluation order; edges to a node still
  // on the stack close a cycle and carry the value of the step before.
  const order: number[] = [];
  const state = new Uint8Array(flat.length); // 0 new, 1 on stack, 2 done
  const back = new Set<string>();
  const stack: number[] = [];
  const visit = (start: number) => {
    const frames: { node: number; next: number }[] = [{ node: start, next: 0 }];
    state[start] = 1;
    stack.push(start);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1];
      if (frame.next < outgoing[frame.node].length) {
        const to = outgoing[frame.node][frame.next++];
        if (state[to] === 0) {
          state[to] = 1;
          stack.push(to);
          frames.push({ node: to, next: 0 });
        } else if (state[to] === 1) {
          const cycle = stack.slice(stack.indexOf(to));
          if (!cycle.some((i) => NIR_NEURON_TYPES.has(flat[i].node.type) || flat[i].node.type === 'Delay')) {
            const names = [...cycle, to].map((i) => flat[i].path).join(' → ');
            throw new NirFormatError(`the cycle ${names} has no neuron or delay to hold its state`);
          }
          back.add(`${frame.node}>${to}`);
        }
      } else {
        state[frame.node] = 2;
        stack.pop();
        order.push(frame.node);
        frames.pop();
      }
    }
  };
  const warnings: string[] = [];
  visit(inputs[0]);
  const unreachable = flat.map((_, i) => i).filter((i) => state[i] === 0);
  if (unreachable.length > 0) warnings.push(`not reached from the input: ${unreachable.map((i) => flat[i].path).join(', ')}`);
  for (const i of unreachable) if (state[i] === 0) visit(i);
  order.reverse();
  const position = new Map(order.map((node, k) => [node, k]));

  const shapes: (number[] | undefined)[] = flat.map(() => undefined);
  const nodes: NirProgramNode[] = [];
  for (const i of order) {
    const { path, node, nested } = flat[i];
    const sources = incoming[i].map((s) => ({ source: s, previous: back.has(`${s}>${i}`) }));
    const forward = sources.filter((s) => !s.previous).map((s) => ({ path: flat[s.source].path, shape: shapes[s.source]! }));
    for (const f of forward) {
      if (product(f.shape) !== product(forward[0].shape)) {
        throw new NirFormatError(`'${path}' sums inputs of different sizes: '${forward[0].path}' gives ${product(forward[0].shape)} values, '${f.path}' ${product(f.shape)}`);
      }
    }
    const inputShape = forward.length > 0 ? forward[0].shape : undefined;
    const { op, shape } = nested ? { op: { kind: 'identity' } as NirOp, shape: inputShape ?? (node as { shape: number[] }).shape } : lower(path, node, inputShape, dt, warnings);
    const size = product(shape);
    if (size > MAX_NIR_NODE_ELEMENTS) throw new NirFormatError(`'${path}' has ${size} elements, above the limit of ${MAX_NIR_NODE_ELEMENTS}`);
    shapes[i] = shape;
    nodes.push({ path, type: node.type, shape, size, inputs: sources.map((s) => ({ source: position.get(s.source)!, previous: s.previous })), op });
  }
  // Recurrent edges: their sources' shapes are known only now.
  for (const n of nodes) {
    const expected = nodeInputLength(n);
    for (const edge of n.inputs) {
      const source = nodes[edge.source];
      if (source.size !== expected) {
        throw new NirFormatError(`'${n.path}' takes ${expected} values but '${source.path}' gives ${source.size}`);
      }
    }
  }
  const outputs = nodes.map((n, k) => (n.type === 'Output' && !flat[order[k]].nested ? k : -1)).filter((k) => k >= 0);
  return { dt, reset, nodes, input: position.get(inputs[0])!, outputs, warnings };
}

/** The number of values a node's input has: fixed by its op, else its own size. */
export function nodeInputLength(n: NirProgramNode): number {
  const op = n.op;
  if (op.kind === 'affine') return op.cols;
  if (op.kind === 'conv') return op.inChannels * op.inH * op.inW;
  return n.size;
}

function flatten(graph: NirGraph, prefix: string, flat: FlatNode[], edges: [string, string][], nested: boolean): void {
  for (const [name, node] of graph.nodes) {
    const path = prefix + name;
    if (node.type === 'NIRGraph') flatten(node, `${path}.`, flat, edges, true);
    else flat.push({ path, node, nested: nested && (node.type === 'Input' || node.type === 'Output') });
  }
  const where = prefix === '' ? 'the graph' : `graph '${prefix.slice(0, -1)}'`;
  for (const [from, to] of graph.edges) {
    edges.push([endpoint(graph, from, prefix, 'Output', where), endpoint(graph, to, prefix, 'Input', where)]);
  }
}

/** The flat path an edge end names: a node, a nested graph (its one Input or Output), or `graph.node`. */
function endpoint(graph: NirGraph, name: string, prefix: string, port: 'Input' | 'Output', where: string): string {
  const node = graph.nodes.get(name);
  if (node !== undefined) {
    if (node.type !== 'NIRGraph') return prefix + name;
    const ports = [...node.nodes].filter(([, n]) => n.type === port);
    if (ports.length !== 1) throw new NirFormatError(`an edge of ${where} ends at the nested graph '${prefix + name}', which has ${ports.length} ${port} nodes (name one: '${name}.<node>')`);
    return endpoint(node, ports[0][0], `${prefix + name}.`, port, where);
  }
  const dot = name.indexOf('.');
  if (dot > 0) {
    const sub = graph.nodes.get(name.slice(0, dot));
    if (sub?.type === 'NIRGraph') return endpoint(sub, name.slice(dot + 1), `${prefix + name.slice(0, dot)}.`, port, where);
  }
  throw new NirFormatError(`an edge of ${where} names the node '${name}', which does not exist`);
}

/** Broadcasts a parameter (a scalar or `size` values) to `size` float32 values. */
function broadcast(path: string, key: string, a: NirArray, size: number): Float32Array {
  if (a.data.length === size) return a.data;
  if (a.data.length === 1) return new Float32Array(size).fill(a.data[0]);
  throw new NirFormatError(`'${path}': its '${key}' has ${a.data.length} values for ${size} elements`);
}

/** The shape a node with per-element parameters has: theirs, or its input's where they are scalars. */
function elementShape(path: string, params: [string, NirArray][], inputShape: number[] | undefined): number[] {
  const arrays = params.filter(([, a]) => a.data.length !== 1);
  if (arrays.length > 0) {
    const shape = arrays[0][1].shape;
    if (inputShape !== undefined && product(inputShape) !== product(shape)) {
      throw new NirFormatError(`'${path}' has ${product(shape)} elements but its input gives ${product(inputShape)} values`);
    }
    return shape.length > 0 ? shape : [1];
  }
  if (inputShape !== undefined) return inputShape;
  const declared = params.find(([, a]) => a.shape.length > 0);
  if (declared) return declared[1].shape;
  throw new NirFormatError(`'${path}' has scalar parameters and no input to take its shape from`);
}

function lower(path: string, node: Exclude<NirNode, NirGraph>, inputShape: number[] | undefined, dt: number, warnings: string[]): { op: NirOp; shape: number[] } {
  const need = (): number[] => {
    if (inputShape === undefined) throw new NirFormatError(`'${path}' (${node.type}) has no input to take its shape from`);
    return inputShape;
  };
  switch (node.type) {
    case 'Input':
      return { op: { kind: 'input' }, shape: node.shape };
    case 'Output':
      return { op: { kind: 'identity' }, shape: inputShape ?? node.shape };
    case 'Flatten': {
      const shape = node.inputShape !== undefined && inputShape !== undefined && product(node.inputShape) === product(inputShape) ? node.inputShape : need();
      return { op: { kind: 'identity' }, shape: flattenShape(shape, node.startDim, node.endDim) };
    }
    case 'Affine':
    case 'Linear': {
      const w = node.weight;
      if (w.shape.length !== 2) throw new NirFormatError(`'${path}': ${node.type} weights of shape [${w.shape.join(', ')}] are not supported (two dimensions expected)`);
      const [rows, cols] = w.shape;
      if (inputShape !== undefined && product(inputShape) !== cols) throw new NirFormatError(`'${path}' takes ${cols} values but its input gives ${product(inputShape)}`);
      let bias: Float32Array | null = null;
      if (node.type === 'Affine') bias = broadcast(path, 'bias', node.bias, rows);
      return { op: { kind: 'affine', weight: w.data, bias, rows, cols }, shape: [rows] };
    }
    case 'Scale': {
      const shape = elementShape(path, [['scale', node.scale]], inputShape);
      return { op: { kind: 'scale', scale: broadcast(path, 'scale', node.scale, product(shape)) }, shape };
    }
    case 'Threshold': {
      const shape = elementShape(path, [['threshold', node.threshold]], inputShape);
      return { op: { kind: 'threshold', threshold: broadcast(path, 'threshold', node.threshold, product(shape)) }, shape };
    }
    case 'Delay': {
      const shape = elementShape(path, [['delay', node.delay]], inputShape);
      const seconds = broadcast(path, 'delay', node.delay, product(shape));
      const steps = new Uint32Array(seconds.length);
      let depth = 1;
      for (let i = 0; i < seconds.length; i++) {
        const s = Math.round(seconds[i] / dt);
        if (s > 65_536) throw new NirFormatError(`'${path}': a delay of ${seconds[i]} s is ${s} steps at dt = ${dt} s, above 65536`);
        steps[i] = s;
        depth = Math.max(depth, s + 1);
      }
      if (product(shape) * depth > MAX_NIR_NODE_ELEMENTS) throw new NirFormatError(`'${path}': delays of up to ${depth - 1} steps need too much memory`);
      return { op: { kind: 'delay', steps, depth }, shape };
    }
    case 'Conv1d':
    case 'Conv2d':
      return lowerConv(path, node, need());
    case 'SumPool2d':
    case 'AvgPool2d':
      return lowerPool(path, node, need());
    default:
      return lowerNeuron(path, node, inputShape, dt, warnings);
  }
}

function flattenShape(shape: number[], startDim: number, endDim: number): number[] {
  const n = shape.length;
  let s = startDim < 0 ? startDim + n : startDim;
  let e = endDim < 0 ? endDim + n : endDim;
  if (s < 0 || s >= n || e < s || e >= n) {
    s = 0;
    e = n - 1;
  }
  return [...shape.slice(0, s), product(shape.slice(s, e + 1)), ...shape.slice(e + 1)];
}

function convPadding(node: NirConv, dim: number, kernel: number, dilation: number): number {
  if (node.padding === 'valid') return 0;
  if (node.padding === 'same') {
    if (node.stride[dim] !== 1) throw new NirFormatError(`padding 'same' needs stride 1`);
    const total = dilation * (kernel - 1);
    if (total % 2 !== 0) throw new NirFormatError(`padding 'same' with an even kernel pads unevenly, which Spikescope does not support`);
    return total / 2;
  }
  return node.padding[dim];
}

function lowerConv(path: string, node: NirConv, inputShape: number[]): { op: NirOp; shape: number[] } {
  const w = node.weight;
  const dims = node.type === 'Conv1d' ? 1 : 2;
  if (w.shape.length !== dims + 2) throw new NirFormatError(`'${path}': ${node.type} weight has shape [${w.shape.join(', ')}], expected ${dims + 2} dimensions`);
  const [outChannels, perGroup] = w.shape;
  const groups = node.groups;
  if (outChannels % groups !== 0) throw new NirFormatError(`'${path}': ${outChannels} output channels do not divide into ${groups} groups`);
  const inChannels = perGroup * groups;
  const count = product(inputShape);
  let spatial: number[];
  if (node.inputShape !== undefined) spatial = node.inputShape;
  else if (inputShape.length === dims + 1 && inputShape[0] === inChannels) spatial = inputShape.slice(1);
  else if (dims === 1 && count % inChannels === 0) spatial = [count / inChannels];
  else throw new NirFormatError(`'${path}': cannot tell the ${node.type}'s input size from an input of shape [${inputShape.join(', ')}]; give it input_shape`);
  if (inChannels * product(spatial) !== count) throw new NirFormatError(`'${path}' takes ${inChannels}×${spatial.join('×')} values but its input gives ${count}`);
  const kernel = dims === 1 ? [1, w.shape[2]] : [w.shape[2], w.shape[3]];
  const input = dims === 1 ? [1, spatial[0]] : spatial;
  const stride = dims === 1 ? [1, node.stride[0]] : node.stride;
  const dilation = dims === 1 ? [1, node.dilation[0]] : node.dilation;
  const pad = dims === 1 ? [0, convPadding(node, 0, kernel[1], dilation[1])] : [0, 1].map((d) => convPadding(node, d, kernel[d], dilation[d]));
  const out = [0, 1].map((d) => Math.floor((input[d] + 2 * pad[d] - dilation[d] * (kernel[d] - 1) - 1) / stride[d]) + 1);
  if (out[0] < 1 || out[1] < 1) throw new NirFormatError(`'${path}': the kernel is larger than its padded input`);
  const geometry: ConvGeometry = {
    inChannels,
    outChannels,
    groups,
    inH: input[0],
    inW: input[1],
    outH: out[0],
    outW: out[1],
    kernelH: kernel[0],
    kernelW: kernel[1],
    strideH: stride[0],
    strideW: stride[1],
    padH: pad[0],
    padW: pad[1],
    dilationH: dilation[0],
    dilationW: dilation[1],
  };
  const bias = broadcast(path, 'bias', node.bias, outChannels);
  const shape = dims === 1 ? [outChannels, out[1]] : [outChannels, out[0], out[1]];
  return { op: { kind: 'conv', weight: w.data, bias, ...geometry }, shape };
}

/** A pool is a convolution of each channel by itself (groups = channels) with weights 1, or 1 / window for the average. */
function lowerPool(path: string, node: NirPool, inputShape: number[]): { op: NirOp; shape: number[] } {
  if (inputShape.length !== 3) throw new NirFormatError(`'${path}': ${node.type} needs an input of shape [C, H, W], got [${inputShape.join(', ')}]`);
  const [channels, inH, inW] = inputShape;
  const [kernelH, kernelW] = node.kernelSize;
  const [strideH, strideW] = node.stride;
  const [padH, padW] = node.padding;
  const outH = Math.floor((inH + 2 * padH - kernelH) / strideH) + 1;
  const outW = Math.floor((inW + 2 * padW - kernelW) / strideW) + 1;
  if (outH < 1 || outW < 1) throw new NirFormatError(`'${path}': the pooling window is larger than its padded input`);
  const weight = new Float32Array(channels * kernelH * kernelW).fill(node.type === 'AvgPool2d' ? 1 / (kernelH * kernelW) : 1);
  const geometry: ConvGeometry = { inChannels: channels, outChannels: channels, groups: channels, inH, inW, outH, outW, kernelH, kernelW, strideH, strideW, padH, padW, dilationH: 1, dilationW: 1 };
  return { op: { kind: 'conv', weight, bias: new Float32Array(channels), ...geometry }, shape: [channels, outH, outW] };
}

function lowerNeuron(
  path: string,
  node: Extract<NirNode, { type: 'I' | 'IF' | 'LI' | 'LIF' | 'CubaLI' | 'CubaLIF' }>,
  inputShape: number[] | undefined,
  dt: number,
  warnings: string[],
): { op: NirOp; shape: number[] } {
  const named: [string, NirArray][] = Object.entries(node).filter(([k, v]) => k !== 'type' && k !== 'metadata' && typeof v === 'object' && v !== null && 'data' in v) as [string, NirArray][];
  const shape = elementShape(path, named, inputShape);
  const size = product(shape);
  const p = (key: string): Float32Array => broadcast(path, key, (node as unknown as Record<string, NirArray>)[key], size);
  const zeros = new Float32Array(size);
  const params = new Float32Array(size * NEURON_PARAMS);
  const r = p('r');
  const positive = (key: string, values: Float32Array) => {
    for (const x of values) if (!(x > 0)) throw new NirFormatError(`'${path}': ${key} must be above 0, got ${x}`);
  };
  let tau: Float32Array = zeros;
  let vLeak: Float32Array = zeros;
  let tauSyn: Float32Array = zeros;
  let wIn: Float32Array = zeros;
  const synaptic = node.type === 'CubaLI' || node.type === 'CubaLIF';
  const leaky = node.type === 'LI' || node.type === 'LIF' || synaptic;
  if (node.type === 'LI' || node.type === 'LIF') tau = p('tau');
  if (synaptic) {
    tau = p('tauMem');
    tauSyn = p('tauSyn');
    wIn = p('wIn');
    positive('tau_syn', tauSyn);
  }
  if (leaky) {
    positive(synaptic ? 'tau_mem' : 'tau', tau);
    vLeak = p('vLeak');
  }
  const spiking = NIR_SPIKING_TYPES.has(node.type);
  const vThreshold = spiking ? p('vThreshold') : zeros;
  const vReset = spiking ? p('vReset') : zeros;
  let unstable = false;
  for (let i = 0; i < size; i++) {
    const o = i * NEURON_PARAMS;
    if (leaky) {
      const k = dt / tau[i];
      if (k > 1) unstable = true;
      params[o] = 1 - k;
      params[o + 1] = k * r[i];
      params[o + 2] = k * vLeak[i];
    } else {
      params[o] = 1;
      params[o + 1] = dt * r[i];
      params[o + 2] = 0;
    }
    params[o + 3] = vThreshold[i];
    params[o + 4] = vReset[i];
    if (synaptic) {
      const ks = dt / tauSyn[i];
      if (ks > 1) unstable = true;
      params[o + 5] = 1 - ks;
      params[o + 6] = ks * wIn[i];
    }
  }
  if (unstable) warnings.push(`'${path}': dt = ${dt} s is longer than a time constant; forward Euler overshoots there (pass --dt)`);
  return { op: { kind: 'neuron', model: node.type, spiking, synaptic, params }, shape };
}
