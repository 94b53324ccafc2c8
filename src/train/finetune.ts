/**
 * Surrogate-gradient fine-tuning of a converted spiking TextCNN (Lv et al., architecture §2.2): the
 * spiking network itself, trained by backpropagation through time, its forward and backward pass
 * written once over `TrainOps` (CPU reference or GPU kernels). Time-major, `R = T·B` rows:
 * ```
 * S0 = rate(p[ids])                 [T][B][L][D]   the inference encoder's spikes (frozen table)
 * Z  = conv(S0), no bias            [T][B][P][C]   masked past each sample's positions
 * S1 = IF(Z)                        over T         h1 recorded
 * A  = pool(S1)                     [T][B][C]      average (or sum) over each channel's valid positions
 * S2 = IF(A)                        over T         h2 recorded
 * Y  = S2 · Wᵀ                      [T][B][K]
 * S3 = IF(Y)                        over T         h3 recorded
 * r  = (1/T) Σ_t S3[t]              [B][K]         the output spike rate
 * L  = mean_b CE(softmax(r_b), y_b)
 * ```
 * The loss is the cross-entropy of the spike rate over all T steps (the quantity the readout ranks:
 * the class with most output spikes), not a sum of per-step losses. Backward: ∂L/∂S3[t] = ∂L/∂r / T,
 * then each IF layer by BPTT with a surrogate spike derivative (`reference/neuron-backward.ts`), the
 * linear layer, the pool, and the convolution's weights; the input spikes need no gradient (the
 * table is frozen). The neurons' thresholds (the conversion's balanced λ) stay fixed.
 */
import { convTrainPositions, validPositionsOf } from '../reference/conv-train';
import type { Surrogate } from '../reference/neuron-backward';
import { hashU32 } from '../reference/rng';
import type { TrainBatch } from './batches';
import { adamWSettings, readLossAndCorrect, type TrainOps } from './ops';
import { channelsOfSpiking, convTrainShape, finetuneTensorFloats, MAX_TENSOR_FLOATS, type SpikingTextCnn, type SpikingTextCnnWeights } from './spiking-textcnn';

/** The seed of the input spikes of optimisation step `iteration`: fresh spikes every step, the same for the same seed. */
export function iterationSeed(seed: number, iteration: number): number {
  return hashU32(hashU32(seed >>> 0) ^ hashU32((iteration + 0x51ed) >>> 0));
}

/** How one step trains. */
export interface SpikingStepSettings {
  learningRate: number;
  weightDecay: number;
  surrogate: Surrogate;
  /** Drop the gradient through the soft reset (SpikingJelly's `detach_reset`). */
  detachReset: boolean;
}

interface Param<Tensor> {
  value: Tensor;
  grad: Tensor;
  m: Tensor;
  v: Tensor;
  length: number;
}

type Work = 'input' | 'convCurrent' | 'convMembrane' | 'convSpikes' | 'pooled' | 'poolMembrane' | 'poolSpikes' | 'fcCurrent' | 'outputMembrane' | 'outputSpikes' | 'rate' | 'gradRate' | 'stats' | 'gradOutputSpikes' | 'gradFcCurrent' | 'gradPoolSpikes' | 'gradPooled';

/**
 * A spiking TextCNN being fine-tuned on some ops. Buffers are sized once for `numSteps × maxBatch`
 * rows of `maxTokens` tokens and reused; one step is one command buffer on the GPU, read back once.
 * The convolution's three `[T·B][P][C]` tensors dominate memory; the backward pass reuses two of
 * them (∂L/∂S1 overwrites Z, ∂L/∂Z overwrites S1), which are no longer needed by then.
 */
export class SpikingTextCnnTrainer<Tensor> {
  private readonly conv: Param<Tensor>;
  private readonly fc: Param<Tensor>;
  private readonly probabilities: Tensor;
  private readonly work: Record<Work, Tensor>;
  private adamStep = 0;

  constructor(
    private readonly ops: TrainOps<Tensor>,
    readonly network: SpikingTextCnn,
    initial: SpikingTextCnnWeights,
    probabilities: Float32Array,
    readonly numSteps: number,
    private readonly maxBatch: number,
    private readonly maxTokens: number,
  ) {
    const sizes = finetuneTensorFloats(network, numSteps, maxBatch, maxTokens);
    if (sizes.positional > MAX_TENSOR_FLOATS || sizes.input > MAX_TENSOR_FLOATS) {
      throw new RangeError(
        `T × batch × positions × channels = ${sizes.positional} floats per tensor exceeds ${MAX_TENSOR_FLOATS}; lower the steps, the batch or the longest sentence`,
      );
    }
    const param = (name: string, value: Float32Array): Param<Tensor> => ({
      value: ops.persistent(name, value),
      grad: ops.persistent(`${name}.grad`, new Float32Array(value.length)),
      m: ops.persistent(`${name}.m`, new Float32Array(value.length)),
      v: ops.persistent(`${name}.v`, new Float32Array(value.length)),
      length: value.length,
    });
    this.conv = param('conv.weight', initial.convWeight);
    this.fc = param('fc.weight', initial.fcWeight);
    this.probabilities = ops.persistent('probabilities', probabilities);
    const rows = numSteps * maxBatch;
    const C = channelsOfSpiking(network);
    const K = network.classes;
    const zeros = (role: string, length: number) => ops.persistent(role, new Float32Array(Math.max(1, length)));
    this.work = {
      input: zeros('input', sizes.input),
      convCurrent: zeros('convCurrent', sizes.positional),
      convMembrane: zeros('convMembrane', sizes.positional),
      convSpikes: zeros('convSpikes', sizes.positional),
      pooled: zeros('pooled', rows * C),
      poolMembrane: zeros('poolMembrane', rows * C),
      poolSpikes: zeros('poolSpikes', rows * C),
      fcCurrent: zeros('fcCurrent', rows * K),
      outputMembrane: zeros('outputMembrane', rows * K),
      outputSpikes: zeros('outputSpikes', rows * K),
      rate: zeros('rate', maxBatch * K),
      gradRate: zeros('gradRate', maxBatch * K),
      stats: zeros('stats', maxBatch * 2),
      gradOutputSpikes: zeros('gradOutputSpikes', rows * K),
      gradFcCurrent: zeros('gradFcCurrent', rows * K),
      gradPoolSpikes: zeros('gradPoolSpikes', rows * C),
      gradPooled: zeros('gradPooled', rows * C),
    };
  }

  /** Per-batch tables, repeated for every step: lengths `[T·B]`, valid positions and pool scale `[T·B][C]`, and the rate's `[B·K]`. */
  private tables(batch: TrainBatch, positions: number) {
    const T = this.numSteps;
    const B = batch.batch;
    const C = channelsOfSpiking(this.network);
    const { widths, filters } = this.network.conv;
    const lengths = new Uint32Array(T * B);
    const valid = new Uint32Array(T * B * C);
    const scale = new Float32Array(T * B * C);
    for (let b = 0; b < B; b++) {
      widths.forEach((width, k) => {
        const count = validPositionsOf(batch.lengths[b], width, positions);
        const value = this.network.pool === 'sum' ? 1 : count > 0 ? Math.fround(1 / count) : 0;
        for (let t = 0; t < T; t++) {
          valid.fill(count, (t * B + b) * C + k * filters, (t * B + b) * C + (k + 1) * filters);
          scale.fill(value, (t * B + b) * C + k * filters, (t * B + b) * C + (k + 1) * filters);
        }
      });
      for (let t = 0; t < T; t++) lengths[t * B + b] = batch.lengths[b];
    }
    const outputs = B * this.network.classes;
    return {
      lengths: this.ops.upload('lengths', lengths),
      valid: this.ops.upload('validPositions', valid),
      scale: this.ops.upload('poolScale', scale),
      rateValid: this.ops.upload('rateValid', new Uint32Array(outputs).fill(T)),
      rateScale: this.ops.upload('rateScale', new Float32Array(outputs).fill(Math.fround(1 / T))),
    };
  }

  /**
   * Records the forward pass up to the output rate, with the input spikes of `seed`: from random
   * stream 0 for every sample (as inference draws them), or from stream b for the sample in slot b.
   */
  private forward(batch: TrainBatch, seed: number, streams: 'inference' | 'per-sample') {
    const { ops, network, work, numSteps: T } = this;
    if (batch.batch > this.maxBatch || batch.tokens > Math.max(this.maxTokens, network.minLength)) {
      throw new RangeError(`batch ${batch.batch} × ${batch.tokens} tokens exceeds the trainer's ${this.maxBatch} × ${this.maxTokens}`);
    }
    const B = batch.batch;
    const rows = T * B;
    const C = channelsOfSpiking(network);
    const K = network.classes;
    const shape = convTrainShape(network, rows, batch.tokens);
    const P = convTrainPositions(shape);
    const t = this.tables(batch, P);
    ops.encodeRate({
      seed,
      shape: { numSteps: T, batch: B, tokens: batch.tokens, dim: network.dim },
      tokenIds: ops.upload('tokenIds', batch.tokenIds),
      probabilities: this.probabilities,
      streamIds: ops.upload('streamIds', streams === 'inference' ? new Uint32Array(B) : Uint32Array.from({ length: B }, (_, b) => b)),
      firstStepOnly: network.firstStepOnly,
      output: work.input,
    });
    ops.convForward({ shape, input: work.input, weights: this.conv.value, lengths: t.lengths, output: work.convCurrent });
    ops.neuronForward({ params: network.convNeurons, neurons: B * P * C, numSteps: T, input: work.convCurrent, spikes: work.convSpikes, membrane: work.convMembrane });
    ops.poolForward({ batch: rows, positions: P, channels: C, input: work.convSpikes, validPositions: t.valid, scale: t.scale, output: work.pooled });
    ops.neuronForward({ params: network.poolNeurons, neurons: B * C, numSteps: T, input: work.pooled, spikes: work.poolSpikes, membrane: work.poolMembrane });
    const linear = { rows, inFeatures: C, outFeatures: K };
    ops.linearForward({ shape: linear, input: work.poolSpikes, weights: this.fc.value, bias: null, output: work.fcCurrent });
    ops.neuronForward({ params: network.outputNeurons, neurons: B * K, numSteps: T, input: work.fcCurrent, spikes: work.outputSpikes, membrane: work.outputMembrane });
    // The rate is a pool over the steps: batch 1, positions T, channels B·K, each scaled by 1/T.
    ops.poolForward({ batch: 1, positions: T, channels: B * K, input: work.outputSpikes, validPositions: t.rateValid, scale: t.rateScale, output: work.rate });
    return { B, rows, C, K, P, shape, linear, t };
  }

  /**
   * One optimisation step (forward, BPTT, AdamW on both weight tensors), one command buffer;
   * returns the batch's summed loss and correct predictions (before the update). The input spikes
   * are those of `iterationSeed(seed, iteration)`, each sample drawing from its own stream: with one
   * stream, every sentence of the batch would see the same draws at the same (position, component,
   * step), and the noise of one draw would bias the whole batch's gradient the same way.
   */
  async trainStep(batch: TrainBatch, iteration: number, seed: number, settings: SpikingStepSettings): Promise<{ loss: number; correct: number }> {
    const { ops, network, work, numSteps: T } = this;
    const { B, rows, C, K, P, shape, linear, t } = this.forward(batch, iterationSeed(seed, iteration), 'per-sample');
    const backward = { numSteps: T, surrogate: settings.surrogate, detachReset: settings.detachReset };
    ops.crossEntropy({ batch: B, classes: K, gradScale: 1 / B, logits: work.rate, labels: ops.upload('labels', batch.labels), gradLogits: work.gradRate, stats: work.stats });
    ops.poolBackward({ batch: 1, positions: T, channels: B * K, gradOutput: work.gradRate, validPositions: t.rateValid, scale: t.rateScale, gradInput: work.gradOutputSpikes });
    ops.neuronBackward({ ...backward, params: network.outputNeurons, neurons: B * K, membrane: work.outputMembrane, gradSpikes: work.gradOutputSpikes, gradInput: work.gradFcCurrent });
    ops.linearWeightBackward({ shape: linear, input: work.poolSpikes, gradOutput: work.gradFcCurrent, gradWeights: this.fc.grad, gradBias: null });
    ops.linearInputBackward({ shape: linear, weights: this.fc.value, gradOutput: work.gradFcCurrent, gradInput: work.gradPoolSpikes });
    ops.neuronBackward({ ...backward, params: network.poolNeurons, neurons: B * C, membrane: work.poolMembrane, gradSpikes: work.gradPoolSpikes, gradInput: work.gradPooled });
    // ∂L/∂S1 into Z's buffer, then ∂L/∂Z into S1's: neither is read again in this step.
    const gradConvSpikes = work.convCurrent;
    const gradConvCurrent = work.convSpikes;
    ops.poolBackward({ batch: rows, positions: P, channels: C, gradOutput: work.gradPooled, validPositions: t.valid, scale: t.scale, gradInput: gradConvSpikes });
    ops.neuronBackward({ ...backward, params: network.convNeurons, neurons: B * P * C, membrane: work.convMembrane, gradSpikes: gradConvSpikes, gradInput: gradConvCurrent });
    ops.convWeightBackward({ shape, input: work.input, gradOutput: gradConvCurrent, lengths: t.lengths, gradWeights: this.conv.grad });
    this.adamStep++;
    for (const param of [this.conv, this.fc]) {
      const adam = adamWSettings({ learningRate: settings.learningRate, weightDecay: settings.weightDecay, step: this.adamStep });
      ops.adamW({ count: param.length, settings: adam, param: param.value, grad: param.grad, m: param.m, v: param.v });
    }
    return readLossAndCorrect(ops, work.stats, B);
  }

  /** Output spike rates `[batch][classes]` of a batch; the input spikes are those the engine draws for `seed`, unless `streams` is `per-sample`. */
  async outputRates(batch: TrainBatch, seed: number, streams: 'inference' | 'per-sample' = 'inference'): Promise<Float32Array> {
    this.forward(batch, seed, streams);
    const [rate] = await this.ops.read([{ tensor: this.work.rate, length: batch.batch * this.network.classes }]);
    return rate;
  }

  /** The current weights, read back. */
  async weights(): Promise<SpikingTextCnnWeights> {
    const [convWeight, fcWeight] = await this.ops.read([
      { tensor: this.conv.value, length: this.conv.length },
      { tensor: this.fc.value, length: this.fc.length },
    ]);
    return { convWeight, fcWeight };
  }

  /** The last step's gradients (for tests). */
  async gradients(): Promise<SpikingTextCnnWeights> {
    const [convWeight, fcWeight] = await this.ops.read([
      { tensor: this.conv.grad, length: this.conv.length },
      { tensor: this.fc.grad, length: this.fc.length },
    ]);
    return { convWeight, fcWeight };
  }
}
