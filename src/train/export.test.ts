import { describe, expect, it } from 'vitest';
import { convReference } from '../reference/conv';
import { convWeightOffsets } from '../reference/conv-train';
import { convWeightName } from '../model/spec';
import { TestRandom } from '../test-support/random';
import { expectClose } from '../test-support/compare';
import { convLayer, convTensors } from './export';
import { dyadicBits } from './bif';
import type { TextCnnConfig } from './textcnn';

describe('export of a trained TextCNN', () => {
  it('the presence component makes the convolution over p equal the trained one over p − ½', () => {
    const random = new TestRandom(8);
    const config: TextCnnConfig = { dim: 6, widths: [2, 3], filters: 4, classes: 2, hidden: { kind: 'relu' }, pool: 'avg', dropout: 0, learnTable: false, minLength: 3, centre: 0.5 };
    const shape = { rows: 2, batch: 2, tokens: 7, inChannels: 6, widths: [2, 3], filters: 4 };
    const trained = random.floats(convWeightOffsets(shape).total, -1, 1);
    const lengths = Uint32Array.from([7, 5]);
    // Sample 1 has an unknown word (silent: all zeros, presence 0) at position 2 and padding after 5.
    const known = (b: number, j: number) => j < lengths[b] && !(b === 1 && j === 2);
    const p = random.floats(2 * 7 * 6, 0, 1);
    const centred = p.map((x, i) => (known(Math.floor(i / 42), Math.floor(i / 6) % 7) ? x - 0.5 : 0));
    const withPresence = new Float32Array(2 * 7 * 7);
    for (let slot = 0; slot < 14; slot++) {
      if (!known(Math.floor(slot / 7), slot % 7)) continue;
      withPresence.set(p.subarray(slot * 6, slot * 6 + 6), slot * 7);
      withPresence[slot * 7 + 6] = 1;
    }
    const tensors = convTensors(config, trained);
    const conv = convLayer(config);
    expect(conv.inChannels).toBe(7);
    const exported = new Float32Array([...tensors.get(convWeightName(conv, 0))!, ...tensors.get(convWeightName(conv, 1))!]);
    expectClose(
      convReference({ ...shape, inChannels: 7 }, withPresence, exported, null, lengths),
      convReference(shape, centred, trained, null, lengths),
      1e-5,
      1e-5,
    );
  });

  it('the classifier grid keeps every partial sum exact in float32', () => {
    const weights = Float32Array.from([0.5, -1.25, 3, 0.1]);
    const bits = dyadicBits(weights, 2, 1000);
    // Σ|w| per row ≤ 3.1, inputs ≤ 1000: partial sums < 3101 < 2^12, so 2^-11 is the finest grid.
    expect(bits).toBe(11);
    expect(3101 * 2 ** bits).toBeLessThan(2 ** 23);
  });
});
