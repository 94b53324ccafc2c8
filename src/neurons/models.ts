/**
 * The table of neuron models (architecture §7). Each model supplies, once, in TypeScript and as
 * WGSL: its charge `h = charge(v, x; β)`, the leak `∂h/∂v` that BPTT carries back through time, and
 * `∂h/∂β` for a learned leak; how it fires (threshold, or bipolar with a count bound) and which of
 * its parameters training learns. The kernels (`neuron_step.wgsl`, `neuron_backward.wgsl`) and their
 * twins (`reference/neuron.ts`, `reference/neuron-backward.ts`) are one skeleton each, composed with
 * these pieces: `neuronModelsWgsl()` writes the WGSL functions the skeletons call, selected by the
 * `NEURON_MODEL` override constant (the entry's `code`). Adding a model is one entry here and its
 * name in `NeuronModel` (`model/spec.ts`).
 */
import type { NeuronModel } from '../model/spec';

export interface NeuronModelEntry {
  readonly name: NeuronModel;
  /** `NEURON_MODEL` of the kernels. */
  readonly code: number;
  readonly description: string;
  /** `h` from the potential v, the input x and the leak β, float32. */
  charge(v: number, x: number, beta: number): number;
  /** Which charge it is, for the WebAssembly kernel (`assembly/kernels.ts`): v + x, or β·v + x. */
  readonly chargeKind: 'integrate' | 'leaky';
  /** The same as a WGSL expression in `v`, `x` and `beta` (f32). */
  readonly chargeWgsl: string;
  /** `∂h/∂v`, float32. */
  leak(beta: number): number;
  readonly leakWgsl: string;
  /** `∂h/∂β`, float32 (0 where β plays no part). */
  dChargeDBeta(v: number): number;
  readonly dChargeDBetaWgsl: string;
  /** `threshold`: s = h ≥ θ; `bipolar`: ±1 within a running count bound (BIF). */
  readonly fire: 'threshold' | 'bipolar';
  /** Trained by BPTT (a bipolar model is converted, not trained). */
  readonly trainable: boolean;
  /** Its parameters that training learns, besides the synapses. */
  readonly learns: readonly ('beta' | 'threshold')[];
}

const f = Math.fround;

const integrate = {
  chargeKind: 'integrate' as const,
  charge: (v: number, x: number) => f(v + x),
  chargeWgsl: 'v + x',
  leak: () => 1,
  leakWgsl: '1.0',
  dChargeDBeta: () => 0,
  dChargeDBetaWgsl: '0.0',
};

const leaky = {
  chargeKind: 'leaky' as const,
  charge: (v: number, x: number, beta: number) => f(f(f(beta) * v) + x),
  chargeWgsl: 'beta * v + x',
  leak: (beta: number) => f(beta),
  leakWgsl: 'beta',
  dChargeDBeta: (v: number) => v,
  dChargeDBetaWgsl: 'v',
};

export const NEURON_MODELS: Readonly<Record<NeuronModel, NeuronModelEntry>> = {
  IF: { name: 'IF', code: 0, description: 'integrate-and-fire: h = v + x', ...integrate, fire: 'threshold', trainable: true, learns: [] },
  LIF: { name: 'LIF', code: 1, description: 'leaky integrate-and-fire: h = β·v + x', ...leaky, fire: 'threshold', trainable: true, learns: [] },
  BIF: { name: 'BIF', code: 2, description: 'bipolar integrate-and-fire (lossless conversion): h = v + x, ±1 spikes within [0, levels − 1]', ...integrate, fire: 'bipolar', trainable: false, learns: [] },
  PLIF: { name: 'PLIF', code: 3, description: 'parametric LIF: h = β·v + x with β and θ learned, per layer or per channel', ...leaky, fire: 'threshold', trainable: true, learns: ['beta', 'threshold'] },
};

/** The names model.json accepts. */
export const NEURON_MODEL_NAMES = Object.keys(NEURON_MODELS) as NeuronModel[];

/** The WGSL functions the neuron kernels call, one `switch` arm per model of the table. */
export function neuronModelsWgsl(): string {
  const entries = Object.values(NEURON_MODELS);
  const arms = (body: (entry: NeuronModelEntry) => string) =>
    entries.map((entry) => `    case ${entry.code}u: { return ${body(entry)}; }`).join('\n');
  return `// Generated from src/neurons/models.ts: one arm per neuron model (NEURON_MODEL = its code).
override NEURON_MODEL: u32 = 0u;

fn neuron_charge(v: f32, x: f32, beta: f32) -> f32 {
  switch (NEURON_MODEL) {
${arms((entry) => entry.chargeWgsl)}
    default: { return v + x; }
  }
}

fn neuron_leak(beta: f32) -> f32 {
  switch (NEURON_MODEL) {
${arms((entry) => entry.leakWgsl)}
    default: { return 1.0; }
  }
}

fn neuron_dcharge_dbeta(v: f32, beta: f32) -> f32 {
  switch (NEURON_MODEL) {
${arms((entry) => entry.dChargeDBetaWgsl)}
    default: { return 0.0; }
  }
}

fn neuron_bipolar() -> bool {
  return ${entries.filter((entry) => entry.fire === 'bipolar').map((entry) => `NEURON_MODEL == ${entry.code}u`).join(' || ') || 'false'};
}
`;
}
