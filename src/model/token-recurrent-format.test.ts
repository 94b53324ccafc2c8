import { describe, expect, it } from 'vitest';
import { validateNetwork } from './config-validation';
import { ModelFormatError } from './safetensors';
import { expectedLayerTensors } from './format';
import { layerShapes, type NetworkSpec } from './spec';

const bif = { model: 'BIF', reset: 'soft', vThreshold: [1], beta: 1, vReset: 0, vInitFraction: 0.5, levels: 4, ann: { kind: 'quant', step: 1, levels: 4 } };

function network(): Record<string, any> {
  return {
    encoder: { kind: 'direct', embeddingDim: 5, mean: 0, std: 1, clipSigmas: 3, minLength: 1, presentation: 'first-step' },
    layers: [
      { kind: 'conv', name: 'token_linear', inChannels: 5, widths: [1], filters: 6, bias: false },
      { kind: 'token-recurrent', name: 'rnn', hidden: 6, neuron: bif },
      { kind: 'pool', name: 'pool', mode: 'sum' },
      { kind: 'linear', name: 'fc', inFeatures: 6, outFeatures: 2, bias: false },
      { kind: 'neuron', name: 'fc_spike', ...bif },
    ],
    readout: { classes: ['a', 'b'], population: 1 },
  };
}

describe('model.json with a token-recurrent layer', () => {
  it('is valid before the pool, needs U [hidden][hidden], and keeps positions', () => {
    const spec = validateNetwork(network()) as NetworkSpec;
    expect(spec.layers[1]).toMatchObject({ kind: 'token-recurrent', hidden: 6 });
    expect(expectedLayerTensors(spec).find((tensor) => tensor.name === 'rnn.recurrentWeight')?.shape).toEqual([6, 6]);
    expect(layerShapes(spec, 7)[1]).toMatchObject({ positions: 7, channels: 6, positional: true });
  });

  it('names what is wrong: a hidden size that is not its input’s, or a place after the pool', () => {
    const wrongHidden = network();
    wrongHidden.layers[1].hidden = 7;
    expect(() => validateNetwork(wrongHidden)).toThrow(/network\.layers\[1\]\.hidden: must equal the 6 channels that the layer before outputs, got 7/);
    const afterPool = network();
    afterPool.layers.splice(3, 0, { kind: 'token-recurrent', name: 'late', hidden: 6, neuron: bif });
    expect(() => validateNetwork(afterPool)).toThrow(ModelFormatError);
    expect(() => validateNetwork(afterPool)).toThrow(/network\.layers\[3\]\.kind: a token-recurrent layer must come before the pool layer/);
  });
});
