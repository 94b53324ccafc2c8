import { describe, expect, it } from 'vitest';
import { testGpu } from '../test-support/gpu';
import { TestRandom } from '../test-support/random';
import { makeBatch, type EncodedExample } from './batches';
import { CpuOps } from '../engine/cpu-ops';
import { GpuOps } from '../engine/gpu-ops';
import type { TensorOps } from '../engine/ops';
import { initialParameters } from './run';
import { TextCnnTrainer, type TextCnnConfig } from './textcnn';

/**
 * A toy task: 40 words with random firing probabilities; words 0–9 are "positive", 10–19
 * "negative", the rest neutral; a sentence's label is which of the two kinds it holds more of.
 */
function toyTask(count: number, seed: number): { table: Float32Array; examples: EncodedExample[] } {
  const random = new TestRandom(seed);
  const dim = 8;
  const table = random.floats(40 * dim, 0, 1);
  // (the trainer centres it)
  const examples: EncodedExample[] = [];
  for (let i = 0; i < count; i++) {
    const length = random.integer(3, 9);
    const label = i % 2;
    const ids = Int32Array.from({ length }, () => random.integer(20, 40));
    const marks = random.integer(2, 4);
    for (let m = 0; m < marks; m++) ids[random.integer(0, length)] = label === 1 ? random.integer(0, 10) : random.integer(10, 20);
    examples.push({ ids, label });
  }
  return { table, examples };
}

const config = (learnTable: boolean, hidden: TextCnnConfig['hidden'] = { kind: 'relu' }): TextCnnConfig => ({
  dim: 8,
  widths: [2, 3],
  filters: 8,
  classes: 2,
  hidden,
  pool: 'avg',
  dropout: 0.25,
  learnTable,
  minLength: 3,
  centre: 0.5,
});

async function trainSteps<T>(ops: TensorOps<T>, cfg: TextCnnConfig, table: Float32Array, examples: EncodedExample[], steps: number) {
  const trainer = new TextCnnTrainer(ops, cfg, initialParameters(cfg, table, 5), 16, 16);
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    const chunk = examples.slice((step * 16) % examples.length, ((step * 16) % examples.length) + 16);
    const { loss } = await trainer.trainStep(makeBatch(chunk, cfg.minLength, 16), step, 3, { learningRate: 0.01, tableLearningRate: 0.03, weightDecay: 0.01 });
    losses.push(loss / chunk.length);
  }
  return { losses, parameters: await trainer.parameters() };
}

describe('TextCNN training, written once over the tensor ops', () => {
  for (const learnTable of [false, true]) {
    it(`the GPU kernels train the same model as the CPU reference (${learnTable ? 'learned table' : 'frozen table'})`, async () => {
      const { table, examples } = toyTask(64, 1);
      const cpu = await trainSteps(new CpuOps(), config(learnTable), table, examples, 6);
      const ctx = await testGpu();
      const ops = new GpuOps(ctx);
      try {
        const gpu = await trainSteps(ops, config(learnTable), table, examples, 6);
        gpu.losses.forEach((loss, i) => expect(loss).toBeCloseTo(cpu.losses[i], 3));
        const maxDifference = (a: Float32Array, b: Float32Array) => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);
        expect(maxDifference(gpu.parameters.convWeight, cpu.parameters.convWeight)).toBeLessThan(1e-3);
        expect(maxDifference(gpu.parameters.table, cpu.parameters.table)).toBeLessThan(1e-3);
        if (learnTable) expect(maxDifference(gpu.parameters.table, table)).toBeGreaterThan(1e-3);
      } finally {
        ops.dispose();
      }
    });
  }

  it('learns the toy task: the loss falls and held-out accuracy is far above chance', async () => {
    const { table, examples } = toyTask(400, 2);
    const cfg = config(false);
    const ctx = await testGpu();
    const ops = new GpuOps(ctx);
    try {
      const trainer = new TextCnnTrainer(ops, cfg, initialParameters(cfg, table, 5), 16, 16);
      const train = examples.slice(0, 320);
      const held = examples.slice(320);
      const losses: number[] = [];
      for (let epoch = 0; epoch < 12; epoch++) {
        let total = 0;
        for (let i = 0; i < train.length; i += 16) {
          const chunk = train.slice(i, i + 16);
          total += (await trainer.trainStep(makeBatch(chunk, 3, 16), epoch * 100 + i, 3, { learningRate: 0.03, tableLearningRate: 0, weightDecay: 0.01 })).loss;
        }
        losses.push(total / train.length);
      }
      let correct = 0;
      for (let i = 0; i < held.length; i += 16) {
        const chunk = held.slice(i, i + 16);
        const logits = await trainer.logits(makeBatch(chunk, 3, 16));
        chunk.forEach((example, b) => (correct += (logits[2 * b + 1] > logits[2 * b] ? 1 : 0) === example.label ? 1 : 0));
      }
      expect(losses[losses.length - 1]).toBeLessThan(0.8 * losses[0]);
      expect(correct / held.length).toBeGreaterThan(0.7);
    } finally {
      ops.dispose();
    }
  });
});
