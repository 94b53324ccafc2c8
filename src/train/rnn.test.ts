import { describe, expect, it } from 'vitest';
import { testGpu } from '../test-support/gpu';
import { TestRandom } from '../test-support/random';
import { makeBatch, type EncodedExample } from './batches';
import { CpuOps } from '../engine/cpu-ops';
import { GpuOps } from '../engine/gpu-ops';
import type { TensorOps } from '../engine/ops';
import { initialRnnParameters, RnnTrainer, type RnnConfig } from './rnn';

const NOT = 6;
const WORDS = 16;

/**
 * A toy task that needs word order: 16 words with random firing probabilities; words 0–2 are
 * "positive", 3–5 "negative", word 6 is "not", the rest neutral. Every sentence holds one sentiment
 * word and one "not"; the label is the sentiment, flipped when "not" stands right before it. A bag of
 * words sees the same words either way, so it is at chance; a recurrent layer is not.
 */
function negationTask(count: number, seed: number): { table: Float32Array; examples: EncodedExample[] } {
  const random = new TestRandom(seed);
  const table = random.floats(WORDS * 8, 0, 1);
  const examples: EncodedExample[] = [];
  for (let i = 0; i < count; i++) {
    const length = random.integer(4, 9);
    const ids = Int32Array.from({ length }, () => random.integer(NOT + 1, WORDS));
    const at = random.integer(1, length);
    const positive = random.next() < 0.5;
    ids[at] = positive ? random.integer(0, 3) : random.integer(3, 6);
    const negated = i % 2 === 0;
    let notAt = at - 1;
    if (!negated) {
      const others = Array.from({ length }, (_, q) => q).filter((q) => q !== at && q !== at - 1);
      notAt = others[random.integer(0, others.length)];
    }
    ids[notAt] = NOT;
    examples.push({ ids, label: positive !== negated ? 1 : 0 });
  }
  return { table, examples };
}

const config: RnnConfig = { dim: 8, hidden: 16, classes: 2, activation: { kind: 'quant', levels: 4 }, dropout: 0.1, centre: 0.5 };

async function trainSteps<T>(ops: TensorOps<T>, table: Float32Array, examples: EncodedExample[], steps: number) {
  const trainer = new RnnTrainer(ops, config, initialRnnParameters(config, 5), table, 16, 12);
  await trainer.calibrateStep(makeBatch(examples.slice(0, 16), 1, 12));
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    const chunk = examples.slice((step * 16) % examples.length, ((step * 16) % examples.length) + 16);
    const { loss } = await trainer.trainStep(makeBatch(chunk, 1, 12), step, 3, { learningRate: 0.01, tableLearningRate: 0, weightDecay: 0.01 });
    losses.push(loss / chunk.length);
  }
  return { losses, parameters: await trainer.parameters() };
}

describe('quantised RNN training, written once over the tensor ops', () => {
  it('the GPU kernels train the same model as the CPU reference', async () => {
    const { table, examples } = negationTask(64, 1);
    const cpu = await trainSteps(new CpuOps(), table, examples, 4);
    const ops = new GpuOps(await testGpu());
    try {
      const gpu = await trainSteps(ops, table, examples, 4);
      gpu.losses.forEach((loss, i) => expect(loss).toBeCloseTo(cpu.losses[i], 3));
      const maxDifference = (a: Float32Array, b: Float32Array) => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);
      expect(maxDifference(gpu.parameters.inputWeight, cpu.parameters.inputWeight)).toBeLessThan(1e-3);
      expect(maxDifference(gpu.parameters.recurrentWeight, cpu.parameters.recurrentWeight)).toBeLessThan(1e-3);
      expect(maxDifference(gpu.parameters.fcWeight, cpu.parameters.fcWeight)).toBeLessThan(1e-3);
      expect(Math.abs(gpu.parameters.step - cpu.parameters.step)).toBeLessThan(1e-4);
      // Every parameter moved.
      const initial = initialRnnParameters(config, 5);
      expect(maxDifference(cpu.parameters.recurrentWeight, initial.recurrentWeight)).toBeGreaterThan(1e-3);
      expect(maxDifference(cpu.parameters.inputWeight, initial.inputWeight)).toBeGreaterThan(1e-3);
    } finally {
      ops.dispose();
    }
  });

  it('learns a task that needs word order: held-out accuracy far above the bag of words’ chance', async () => {
    const { table, examples } = negationTask(640, 2);
    const train = examples.slice(0, 480);
    const held = examples.slice(480);
    const ops = new GpuOps(await testGpu());
    try {
      const wider = { ...config, hidden: 32 };
      const trainer = new RnnTrainer(ops, wider, initialRnnParameters(wider, 7, 1), table, 16, 12);
      await trainer.calibrateStep(makeBatch(train.slice(0, 16), 1, 12));
      for (let epoch = 0; epoch < 18; epoch++) {
        for (let i = 0; i < train.length; i += 16) {
          await trainer.trainStep(makeBatch(train.slice(i, i + 16), 1, 12), epoch * 100 + i, 3, { learningRate: 0.01, tableLearningRate: 0, weightDecay: 0 });
        }
      }
      let correct = 0;
      for (let i = 0; i < held.length; i += 16) {
        const chunk = held.slice(i, i + 16);
        const logits = await trainer.logits(makeBatch(chunk, 1, 12));
        chunk.forEach((example, b) => (correct += (logits[2 * b + 1] > logits[2 * b] ? 1 : 0) === example.label ? 1 : 0));
      }
      // Chance is ½ (σ ≈ 0.04 over 160 sentences).
      expect(correct / held.length).toBeGreaterThan(0.8);
    } finally {
      ops.dispose();
    }
  }, 300_000);
});
