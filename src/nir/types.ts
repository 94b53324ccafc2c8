/**
 * NIR (the Neuromorphic Intermediate Representation) as typed records: one record per node type,
 * with the parameters the NIR specification gives it (architecture §10). Arrays are float32 with
 * their shape; `shape: []` is a scalar that broadcasts to the node's elements.
 */

/** A numeric parameter: float32 values in row-major order with their shape. */
export interface NirArray {
  shape: number[];
  data: Float32Array;
}

/** Every node type Spikescope reads, runs and writes. */
export const NIR_NODE_TYPES = [
  'Input',
  'Output',
  'Affine',
  'Linear',
  'Scale',
  'Conv1d',
  'Conv2d',
  'SumPool2d',
  'AvgPool2d',
  'Flatten',
  'Delay',
  'Threshold',
  'I',
  'IF',
  'LI',
  'LIF',
  'CubaLI',
  'CubaLIF',
  'NIRGraph',
] as const;

export type NirNodeType = (typeof NIR_NODE_TYPES)[number];

/** Metadata values kept as read (strings and numbers); shown by the app, written back on export. */
export type NirMetadata = Record<string, string | number | number[]>;

interface Base {
  metadata?: NirMetadata;
}

export interface NirInput extends Base {
  type: 'Input';
  shape: number[];
}
export interface NirOutput extends Base {
  type: 'Output';
  shape: number[];
}
export interface NirAffine extends Base {
  type: 'Affine';
  weight: NirArray;
  bias: NirArray;
}
export interface NirLinear extends Base {
  type: 'Linear';
  weight: NirArray;
}
export interface NirScale extends Base {
  type: 'Scale';
  scale: NirArray;
}
/** Conv1d and Conv2d. Spatial sizes are per dimension (one for Conv1d, two for Conv2d). */
export interface NirConv extends Base {
  type: 'Conv1d' | 'Conv2d';
  /** `[C_out, C_in / groups, K]` or `[C_out, C_in / groups, Kh, Kw]`. */
  weight: NirArray;
  bias: NirArray;
  stride: number[];
  /** Numbers per dimension, or PyTorch's 'same' / 'valid'. */
  padding: number[] | 'same' | 'valid';
  dilation: number[];
  groups: number;
  /** The spatial input size, when the file gives it. */
  inputShape?: number[];
}
export interface NirPool extends Base {
  type: 'SumPool2d' | 'AvgPool2d';
  kernelSize: [number, number];
  stride: [number, number];
  padding: [number, number];
}
export interface NirFlatten extends Base {
  type: 'Flatten';
  startDim: number;
  endDim: number;
  inputShape?: number[];
}
export interface NirDelay extends Base {
  type: 'Delay';
  /** Delays in seconds, per element (or a scalar). */
  delay: NirArray;
}
export interface NirThreshold extends Base {
  type: 'Threshold';
  threshold: NirArray;
}
/** Integrator: dv/dt = R·I. */
export interface NirIntegrator extends Base {
  type: 'I';
  r: NirArray;
}
/** Integrate-and-fire: dv/dt = R·I; z = v > v_threshold; reset. */
export interface NirIF extends Base {
  type: 'IF';
  r: NirArray;
  vThreshold: NirArray;
  vReset: NirArray;
}
/** Leaky integrator: τ·dv/dt = (v_leak − v) + R·I. */
export interface NirLI extends Base {
  type: 'LI';
  tau: NirArray;
  r: NirArray;
  vLeak: NirArray;
}
/** Leaky integrate-and-fire: the LI equation, z = v > v_threshold, reset. */
export interface NirLIF extends Base {
  type: 'LIF';
  tau: NirArray;
  r: NirArray;
  vLeak: NirArray;
  vThreshold: NirArray;
  vReset: NirArray;
}
/** Current-based LI: τ_syn·dI/dt = −I + w_in·S; τ_mem·dv/dt = (v_leak − v) + R·I. */
export interface NirCubaLI extends Base {
  type: 'CubaLI';
  tauSyn: NirArray;
  tauMem: NirArray;
  r: NirArray;
  vLeak: NirArray;
  wIn: NirArray;
}
/** Current-based LIF: the CubaLI equations, z = v > v_threshold, reset. */
export interface NirCubaLIF extends Base {
  type: 'CubaLIF';
  tauSyn: NirArray;
  tauMem: NirArray;
  r: NirArray;
  vLeak: NirArray;
  vThreshold: NirArray;
  vReset: NirArray;
  wIn: NirArray;
}
export interface NirGraph extends Base {
  type: 'NIRGraph';
  /** Nodes in the file's order. */
  nodes: Map<string, NirNode>;
  /** Directed edges [source, target]; a name may reach into a nested graph as `graph.node`. */
  edges: [string, string][];
}

export type NirNode =
  | NirInput
  | NirOutput
  | NirAffine
  | NirLinear
  | NirScale
  | NirConv
  | NirPool
  | NirFlatten
  | NirDelay
  | NirThreshold
  | NirIntegrator
  | NirIF
  | NirLI
  | NirLIF
  | NirCubaLI
  | NirCubaLIF
  | NirGraph;

/** Node types that hold a membrane potential from one step to the next. */
export type NirNeuronNode = NirIntegrator | NirIF | NirLI | NirLIF | NirCubaLI | NirCubaLIF;

export const NIR_NEURON_TYPES: ReadonlySet<string> = new Set(['I', 'IF', 'LI', 'LIF', 'CubaLI', 'CubaLIF']);

/** Neuron types whose output is spikes (the others output their membrane potential). */
export const NIR_SPIKING_TYPES: ReadonlySet<string> = new Set(['IF', 'LIF', 'CubaLIF']);

/** A file that is not a NIR graph Spikescope can run: one line naming what and where. */
export class NirFormatError extends Error {
  override name = 'NirFormatError';
}

/** A scalar or array parameter from numbers (row-major), for building graphs in code. */
export function nirArray(values: number | number[], shape?: number[]): NirArray {
  const data = Float32Array.from(typeof values === 'number' ? [values] : values);
  return { shape: shape ?? (typeof values === 'number' ? [] : [data.length]), data };
}
