import type { EncodingKind, NeuronModel, ResetMode } from '../model/spec';
import type { EnergyReport, EnergySettings } from '../model/energy';

/**
 * Which implementation runs the kernels: WebGPU, the fast CPU backend (WebAssembly SIMD), or the
 * plain TypeScript reference. `auto` takes WebGPU when an adapter is there (in Node, only a hardware
 * one: a software adapter is slower than the CPU backend), else the CPU backend.
 */
export type BackendChoice = 'auto' | 'gpu' | 'cpu' | 'reference';

/** Overrides applied to every neuron layer of the model for one run. */
export interface NeuronOverrides {
  model?: NeuronModel;
  reset?: ResetMode;
  beta?: number;
  /** Multiplies every threshold. */
  thresholdScale?: number;
}

/** What to record beyond the spike counts: full spike trains and membrane traces of named layers. */
export interface RecordRequest {
  /** Names of neuron or recurrent layers whose full spike trains to return (`[T][positions][channels]`). */
  spikeLayers?: string[];
  /** Membrane traces (`h`, before firing) of these layers, for the listed neurons (flat index within a sample). */
  membrane?: { layer: string; neurons: number[] }[];
  /** The encoder's spikes `[T][tokens][dim]`. */
  input?: boolean;
}

/** Options of one inference. */
export interface RunOptions {
  numSteps: number;
  encoding: EncodingKind;
  seed: number;
  neurons?: NeuronOverrides;
  record?: RecordRequest;
  /** Energy per operation (default 4.6 pJ per MAC, 0.9 pJ per AC). */
  energy?: EnergySettings;
  /** Also run the ANN twin (default true). */
  ann?: boolean;
  /** GPU only: `fused` runs all T steps of a layer in one dispatch; `per-step` dispatches every step (for benchmarks). */
  stepMode?: 'fused' | 'per-step';
}

export const DEFAULT_RUN_OPTIONS: RunOptions = { numSteps: 16, encoding: 'rate', seed: 1 };

/** Spike train of one layer for one sample. */
export interface LayerSpikes {
  layer: string;
  numSteps: number;
  positions: number;
  channels: number;
  /** `[numSteps][positions][channels]`. */
  spikes: Float32Array;
}

/** Membrane trace of chosen neurons of one layer for one sample. */
export interface MembraneTrace {
  layer: string;
  neuron: number;
  /** Threshold of that neuron, for plotting. */
  vThreshold: number;
  /** `h` at each step. */
  potential: Float32Array;
}

/** Spike events of one layer for one sample. */
export interface LayerActivity {
  layer: string;
  kind: 'input' | 'neuron' | 'recurrent';
  /** Spike events (|s| summed over steps and neurons). */
  spikeCount: number;
  /** Neurons that can fire (masked positions excluded). */
  neurons: number;
  /** spikeCount / (neurons × T). */
  firingRate: number;
  /** Events per position, for positional layers. */
  perPosition?: Float32Array;
}

/** The result for one text. */
export interface SampleResult {
  label: string;
  labelIndex: number;
  /** Output spike count per class (signed for BIF). */
  scores: number[];
  ann?: { label: string; labelIndex: number; scores: number[] };
  tokens: string[];
  /** Token ids after padding (−1 = silent). */
  tokenIds: number[];
  unknownTokens: string[];
  activity: LayerActivity[];
  energy: EnergyReport;
  spikeTrains?: LayerSpikes[];
  membrane?: MembraneTrace[];
  /** Cumulative output spikes per class after each step, `[T][classes]`. */
  cumulativeScores?: number[][];
}

export interface Timings {
  /** Wall time of the whole call. */
  totalMs: number;
  /** Time on the backend (GPU submit to read-back, or CPU compute). */
  computeMs: number;
  /** GPU timestamp-query time of the passes, where the adapter offers it. */
  gpuMs?: number;
}

export interface BatchResult {
  backend: 'gpu' | 'cpu';
  /** Adapter description for the GPU, or why the CPU ran. */
  backendDetail: string;
  options: RunOptions;
  samples: SampleResult[];
  timings: Timings;
  /** Things the person should know about this run, e.g. a lost GPU device that was replaced. */
  notices: string[];
}
