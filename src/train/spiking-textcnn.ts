/**
 * The spiking TextCNN of a model folder as fine-tuning sees it (architecture §2.2): conv → IF → pool →
 * IF → linear → IF, read from and written back to the model's tensors, and the sizes of the
 * trainer's largest buffers. Pure: no GPU, no file system.
 */
import { UnsupportedNetworkError } from '../engine/batch';
import { neuronParams } from '../engine/executor';
import { joinConvWeights, splitConvWeights } from '../layers/conv';
import type { LoadedModel } from '../model/format';
import type { ConvLayerSpec, LinearLayerSpec, NeuronLayerSpec } from '../model/spec';
import type { ConvTrainShape } from '../reference/conv-train';
import type { NeuronParams } from '../reference/neuron';

/** The spiking TextCNN of a model folder, as the trainer sees it. */
export interface SpikingTextCnn {
  conv: ConvLayerSpec;
  fc: LinearLayerSpec;
  /** Input components per token: the encoder's `embeddingDim` (the presence component included). */
  dim: number;
  classes: number;
  pool: 'avg' | 'sum';
  minLength: number;
  /** Rate spikes drawn at the first step only (`encoder.presentation === 'first-step'`). */
  firstStepOnly: boolean;
  convNeurons: NeuronParams;
  poolNeurons: NeuronParams;
  outputNeurons: NeuronParams;
}

/** The trained weights: the convolution's branches concatenated `[branch][filters][width][dim]`, the classifier `[classes][channels]`. */
export interface SpikingTextCnnWeights {
  convWeight: Float32Array;
  fcWeight: Float32Array;
}

/** Channels after the convolution (and the pool). */
export function channelsOfSpiking(network: SpikingTextCnn): number {
  return network.conv.widths.length * network.conv.filters;
}

/** Largest number of floats in one trainer tensor: 256 MiB, the engine's bound on one buffer. */
export const MAX_TENSOR_FLOATS = 64 * 1024 * 1024;

/**
 * Floats of the trainer's largest tensors, the convolution's `[T·B][P][C]` (three of them), and the
 * encoded input `[T·B][L][D]`, for `numSteps × batch` rows of `maxTokens` tokens.
 */
export function finetuneTensorFloats(network: SpikingTextCnn, numSteps: number, batch: number, maxTokens: number): { positional: number; input: number } {
  const tokens = Math.max(maxTokens, network.minLength);
  const positions = tokens - Math.min(...network.conv.widths) + 1;
  return { positional: numSteps * batch * positions * channelsOfSpiking(network), input: numSteps * batch * tokens * network.dim };
}

function describeLayers(model: LoadedModel): string {
  return model.spec.layers.map((layer) => (layer.kind === 'neuron' ? `${layer.name} (${layer.model})` : `${layer.name} (${layer.kind})`)).join(' → ');
}

/**
 * The spiking TextCNN of a model, checked: conv → IF → pool → IF → linear → IF without biases, one
 * output neuron per class, IF or LIF neurons with soft or no reset. A BIF model (Su et al.) is
 * refused: its spike counts already equal the quantised ANN's exactly.
 */
export function spikingTextCnnOf(model: LoadedModel): { network: SpikingTextCnn; weights: SpikingTextCnnWeights } {
  const spec = model.spec;
  const kinds = spec.layers.map((layer) => layer.kind).join(',');
  const expected = 'conv,neuron,pool,neuron,linear,neuron';
  if (kinds !== expected) {
    throw new UnsupportedNetworkError(`finetune trains the spiking TextCNN of 'train --method lv-if' (conv → IF → pool → IF → linear → IF); this model is ${describeLayers(model)}`);
  }
  const [conv, convSpike, pool, poolSpike, fc, fcSpike] = spec.layers as [ConvLayerSpec, NeuronLayerSpec, { mode: 'avg' | 'sum' }, NeuronLayerSpec, LinearLayerSpec, NeuronLayerSpec];
  for (const neuron of [convSpike, poolSpike, fcSpike]) {
    if (neuron.model === 'BIF') {
      throw new UnsupportedNetworkError(`layer ${neuron.name} is BIF (the lossless conversion of Su et al.): its spike counts already equal the quantised ANN's, so there is nothing to fine-tune; finetune takes IF models made by 'train --method lv-if'`);
    }
    if (neuron.reset === 'hard') throw new UnsupportedNetworkError(`layer ${neuron.name} has a hard reset; finetune backpropagates through soft or no reset only`);
  }
  if (conv.bias || fc.bias) throw new UnsupportedNetworkError(`finetune trains bias-free layers, as 'train --method lv-if' makes them; ${conv.bias ? conv.name : fc.name} has a bias`);
  if (spec.readout.population !== 1) throw new UnsupportedNetworkError(`finetune needs one output neuron per class; this model has a population of ${spec.readout.population}`);
  const C = conv.widths.length * conv.filters;
  const K = fc.outFeatures;
  const network: SpikingTextCnn = {
    conv,
    fc,
    dim: conv.inChannels,
    classes: K,
    pool: pool.mode,
    minLength: Math.max(spec.encoder.minLength, ...conv.widths),
    firstStepOnly: spec.encoder.presentation === 'first-step',
    convNeurons: neuronParams(convSpike, C),
    poolNeurons: neuronParams(poolSpike, C),
    outputNeurons: neuronParams(fcSpike, K),
  };
  const convWeight = joinConvWeights(conv, (name) => model.weights.get(name)!);
  return { network, weights: { convWeight, fcWeight: model.weights.get(`${fc.name}.weight`)!.slice() } };
}

/** The layer tensors of a model (per-branch convolution, classifier) from trained weights. */
export function modelLayerWeights(network: SpikingTextCnn, weights: SpikingTextCnnWeights): Map<string, Float32Array> {
  const out = splitConvWeights(network.conv, weights.convWeight);
  out.set(`${network.fc.name}.weight`, weights.fcWeight.slice());
  return out;
}

/** The training convolution's shape for `rows` rows of `tokens` tokens. */
export function convTrainShape(network: SpikingTextCnn, rows: number, tokens: number): ConvTrainShape {
  return { batch: rows, tokens, inChannels: network.dim, widths: network.conv.widths, filters: network.conv.filters };
}
