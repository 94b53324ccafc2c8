import { describe, expect, it } from 'vitest';
import { SENTENCES, WORDS } from '../test-support/word-sequences';
import { parseModel, serializeModel, type LoadedModel } from '../model/format';
import { makeRandomTextCnn } from '../model/random-model';
import { expectClose, expectExact } from '../test-support/compare';
import { GpuContext } from '../gpu/context';
import { nodeGpu } from '../gpu/node-gpu';
import { CpuBackend, GpuBackend } from './backends';
import { prepareBatch } from './batch';
import { sampleEnergy } from './energy-input';
import type { ExecuteOptions } from './executor';
import { WasmOps } from './wasm-ops';
import { lstmLayers, lstmWeights } from '../train/lstm-baseline';
import { lstmMacsPerPosition } from '../layers/lstm';

const HIDDEN = 12;
const DIM = 8;

/** `encoder (direct) → lstm → avg pool → linear`: the LSTM baseline's network. */
function lstmModel(): LoadedModel {
  const { config, weights } = makeRandomTextCnn({ vocabulary: WORDS, dim: DIM + 1, widths: [1], filters: 4, classes: ['a', 'b'], seed: 2, encoding: 'direct', minLength: 1 });
  const shape = { dim: DIM, hidden: HIDDEN, classes: 2, centre: 0.5 };
  config.network.layers = lstmLayers(shape);
  config.numSteps = 1;
  const all = new Map<string, Float32Array>([...lstmWeights(shape, 7), ['embedding', weights.get('embedding') as Float32Array]]);
  // Inputs of the size the trained model sees.
  const input = all.get('lstm.inputWeight')!;
  all.set('lstm.inputWeight', input.map((w) => 6 * w));
  const { configText, weightBytes } = serializeModel(config, all);
  return parseModel(configText, weightBytes);
}

const run = (overrides: Partial<ExecuteOptions> = {}): ExecuteOptions => ({ mode: 'snn', numSteps: 1, encoding: 'direct', seed: 3, maxChunkPositions: 1000, ...overrides });

describe('an lstm layer in the engine', () => {
  const model = lstmModel();
  const batch = prepareBatch(SENTENCES, 1);

  it('the reference gives the same scores whole or in chunks (h and c carried); WebAssembly equal, GPU within float32 tolerance; the ANN twin equal', async () => {
    const cpu = new CpuBackend('test');
    const [whole, chunked, single, ann] = (await cpu.run(model, batch, [run(), run({ maxChunkPositions: 3 }), run({ maxChunkPositions: 1 }), run({ mode: 'ann' })])).raws;
    expect(new Set(whole.scores).size).toBeGreaterThan(4);
    expectExact(chunked.scores, whole.scores);
    expectExact(single.scores, whole.scores);
    expectExact(ann.scores, whole.scores);
    const [wasm] = (await new CpuBackend('wasm', () => new WasmOps()).run(model, batch, [run({ maxChunkPositions: 3 })])).raws;
    expectClose(wasm.scores, whole.scores, 1e-5, 1e-6);
    const gpu = new GpuBackend(await GpuContext.create(await nodeGpu()));
    for (const raw of (await gpu.run(model, batch, [run(), run({ maxChunkPositions: 2 })])).raws) expectClose(raw.scores, whole.scores, 1e-4, 1e-5);
    gpu.dispose();
  });

  it('a sample scores the same alone as in a batch of other lengths', async () => {
    const cpu = new CpuBackend('test');
    const [together] = (await cpu.run(model, batch, [run()])).raws;
    for (const [b, ids] of SENTENCES.entries()) {
      const [alone] = (await cpu.run(model, prepareBatch([ids], 1), [run()])).raws;
      expectExact(alone.scores, together.scores.subarray(2 * b, 2 * b + 2));
    }
  });

  it('energy: 4H(D + H) + 3H multiply-accumulates per word and 4H bias additions, the same in both networks', async () => {
    const cpu = new CpuBackend('test');
    const [raw] = (await cpu.run(model, batch, [run()])).raws;
    const length = batch.lengths[0];
    const report = sampleEnergy(model.spec, raw, 0, length, { numSteps: 1, encoding: 'direct', seed: 3 });
    const row = report.layers[0];
    expect(row.annMacs).toBe(length * lstmMacsPerPosition(DIM + 1, HIDDEN));
    expect(row.snnMacs).toBe(row.annMacs);
    expect(row.snnAcs).toBe(0);
  });
});
