/**
 * A NIR graph as a Spikescope text classifier (architecture §10.4), where its form allows: a chain
 * `Input [D] → (Linear|Affine → LIF|IF)+ → Linear → Output`, run along the words (each word's
 * D-vector for `numSteps` steps, the membranes carried from word to word, the output summed over
 * the steps) — the form `nir export` writes for LITE-SNN. The words' vectors come from a model
 * folder (`--embedding-from`): its vocabulary, table and encoder, whose input size must be D.
 * Anything else can still be run (`spikescope nir run`, the app) but is no text classifier; the
 * refusal says why in one line.
 */
import type { ModelConfig, LoadedModel } from '../model/format';
import type { LayerSpec, NetworkSpec } from '../model/spec';
import { compileNir, NEURON_PARAMS, type NirProgram, type NirReset } from './compile';
import { NirFormatError, type NirGraph } from './types';

export interface NirImportOptions {
  /** The model folder whose vocabulary, embedding table and encoder give the words' vectors. */
  embedding: LoadedModel;
  dt: number;
  reset: NirReset;
  /** Steps per word (default: the graph's `spikescope.steps`, else 4). */
  numSteps?: number;
  classes?: string[];
  name?: string;
  fileName: string;
}

export interface NirImport {
  config: ModelConfig;
  /** Layer tensors (the embedding table is the `embedding` model's, stored under its name). */
  weights: Map<string, Float32Array>;
}

/** The graph as a model, or a NirFormatError saying why it is no text classifier. */
export function importNir(graph: NirGraph, options: NirImportOptions): NirImport {
  const notText = (why: string): never => {
    throw new NirFormatError(`${options.fileName} can be run (spikescope nir run, the app's NIR graphs tab) but not used as a text classifier: ${why}`);
  };
  if (options.reset === 'subtract-delayed') notText("Spikescope's neurons reset at once, not at the next step (--reset zero or subtract)");
  const program: NirProgram = compileNir(graph, { dt: options.dt, reset: options.reset });
  const nodes = program.nodes;
  if (program.outputs.length !== 1) notText(`it has ${program.outputs.length} Output nodes, not one`);
  for (const node of nodes) {
    if (node.inputs.some((edge) => edge.previous)) notText(`'${node.path}' has a recurrent edge`);
    if (node.op.kind !== 'input' && node.inputs.length !== 1) notText(`'${node.path}' sums ${node.inputs.length} inputs: only a chain of layers is a text classifier here`);
  }
  // The chain from the input, skipping pass-through nodes.
  const chain = nodes.filter((n) => n.op.kind !== 'identity' && n.op.kind !== 'input');
  const input = nodes[program.input];
  const metadata = graph.metadata ?? {};
  const encoder = options.embedding.spec.encoder;
  if (input.size !== encoder.embeddingDim) {
    notText(`its input has ${input.size} values per step, but the words of ${options.embedding.config.name} have ${encoder.embeddingDim} (choose --embedding-from a model of that size)`);
  }
  const layers: LayerSpec[] = [];
  const weights = new Map<string, Float32Array>();
  let channels = input.size;
  for (let k = 0; k < chain.length; k++) {
    const node = chain[k];
    const op = node.op;
    const last = k === chain.length - 1;
    const name = node.path.replace(/[^A-Za-z0-9_]/g, '_') || `layer${k}`;
    if (op.kind === 'affine' && !last) {
      if (chain[k + 1]?.op.kind !== 'neuron') notText(`'${node.path}' is not followed by neurons`);
      const weight = Float32Array.from(op.weight);
      const bias = op.bias ? Float32Array.from(op.bias) : null;
      // The neurons' input gain b (dt·R/τ) is folded into this layer's rows: v ← a·v + x·b.
      const next = chain[k + 1].op;
      const params = next.kind === 'neuron' ? next.params : new Float32Array(0);
      for (let r = 0; r < op.rows; r++) {
        const gain = params[r * NEURON_PARAMS + 1];
        for (let c = 0; c < op.cols; c++) weight[r * op.cols + c] *= gain;
        if (bias) bias[r] *= gain;
      }
      layers.push({ kind: 'conv', name, inChannels: channels, widths: [1], filters: op.rows, bias: bias !== null } as LayerSpec);
      weights.set(`${name}.w1`, weight);
      if (bias) weights.set(`${name}.b1`, bias);
      channels = op.rows;
    } else if (op.kind === 'neuron') {
      if (!op.spiking || op.synaptic) notText(`'${node.path}' is a ${node.type} node; only LIF and IF neurons carry a sentence here`);
      if (layers.length === 0 || layers[layers.length - 1].kind !== 'conv') notText(`'${node.path}' is not fed by a Linear or Affine node`);
      const beta: number[] = [];
      const thresholds: number[] = [];
      const resets = new Set<number>();
      for (let i = 0; i < node.size; i++) {
        const p = op.params.subarray(i * NEURON_PARAMS, (i + 1) * NEURON_PARAMS);
        if (p[2] !== 0) notText(`'${node.path}' leaks towards v_leak ≠ 0, which Spikescope's neurons do not`);
        if (!(p[0] > 0 && p[0] <= 1)) notText(`'${node.path}' has a leak factor 1 − dt/τ = ${p[0]} outside (0, 1] at dt = ${options.dt} s`);
        beta.push(p[0]);
        thresholds.push(p[3]);
        resets.add(p[4]);
      }
      if (options.reset === 'zero' && resets.size > 1) notText(`'${node.path}' resets to different potentials per neuron`);
      const leaky = beta.some((b) => b !== 1);
      layers.push({
        kind: 'sequence-neuron',
        name,
        model: leaky ? 'PLIF' : 'IF',
        reset: options.reset === 'zero' ? 'hard' : 'soft',
        vThreshold: thresholds,
        beta: leaky ? beta : 1,
        vReset: options.reset === 'zero' ? [...resets][0] : 0,
        vInitFraction: 0,
        levels: 2,
        ann: { kind: 'relu' },
      } as LayerSpec);
    } else if (op.kind === 'affine' && last) {
      if (layers.length === 0) notText('it has no neurons before its readout');
      const stored = metadata['spikescope.bias'] ?? (graph.nodes.get(node.path)?.metadata?.['spikescope.bias'] as number[] | undefined);
      if (op.bias && op.bias.some((b) => b !== 0)) notText(`the readout '${node.path}' adds its bias at every step of every word, so the scores would depend on the sentence's length`);
      layers.push({ kind: 'pool', name: 'pool', mode: 'sum' } as LayerSpec);
      const bias = Array.isArray(stored) && stored.length === op.rows ? Float32Array.from(stored) : null;
      layers.push({ kind: 'linear', name, inFeatures: op.cols, outFeatures: op.rows, bias: bias !== null } as LayerSpec);
      weights.set(`${name}.weight`, Float32Array.from(op.weight));
      if (bias) weights.set(`${name}.bias`, bias);
      channels = op.rows;
    } else notText(`'${node.path}' is a ${node.type} node, which has no place in a classifier over the words`);
  }
  if (layers[layers.length - 1]?.kind !== 'linear') notText('it does not end in a Linear readout');
  const population = typeof metadata['spikescope.population'] === 'number' ? metadata['spikescope.population'] : 1;
  const classCount = channels / population;
  let classes = options.classes;
  if (!classes && typeof metadata['spikescope.classes'] === 'string') {
    try {
      const parsed = JSON.parse(metadata['spikescope.classes']);
      if (Array.isArray(parsed) && parsed.every((c) => typeof c === 'string')) classes = parsed;
    } catch {
      classes = undefined;
    }
  }
  classes ??= Array.from({ length: classCount }, (_, i) => `class ${i}`);
  if (classes.length !== classCount) throw new NirFormatError(`--classes names ${classes.length} classes, but the readout has ${channels} outputs (${classCount} classes of ${population})`);
  const numSteps = options.numSteps ?? (typeof metadata['spikescope.steps'] === 'number' ? metadata['spikescope.steps'] : 4);
  const base = options.embedding.config;
  const spec: NetworkSpec = {
    encoder: { ...encoder, kind: 'direct', minLength: 1, presentation: undefined },
    layers,
    readout: { classes, population },
  } as NetworkSpec;
  const config: ModelConfig = {
    format: 'spikescope-model',
    version: 1,
    name: options.name ?? `${options.fileName} (NIR)`,
    description: `Imported from the NIR graph ${options.fileName}: ${layers.filter((l) => l.kind === 'sequence-neuron').length} layer(s) of neurons over the words, ${numSteps} steps per word, with the words of ${base.name}.`,
    language: base.language,
    tokenizer: base.tokenizer,
    network: spec,
    vocabulary: base.vocabulary,
    embedding: base.embedding,
    numSteps,
    defaultEncoding: 'direct',
    seed: base.seed,
    provenance: {
      command: '',
      createdAt: new Date().toISOString(),
      dataset: base.provenance.dataset,
      split: base.provenance.split,
      seed: base.seed,
      notes: `NIR graph ${options.fileName} at dt = ${options.dt} s, reset ${options.reset}; words from ${base.name}.`,
    },
    metrics: {},
  };
  return { config, weights };
}
