import { describe, expect, it } from 'vitest';
import { encodingOptions, encodingWarning, type InputForm } from './encoding-fit';

const bif: InputForm = { trained: 'direct', firstStep: true, binary: false, lossless: true, onCard: ['direct'] };
const binary: InputForm = { trained: 'rate', firstStep: true, binary: true, lossless: true, onCard: ['rate'] };
const lv: InputForm = { trained: 'rate', firstStep: false, binary: false, lossless: false, onCard: ['rate'] };
/** Lv et al.'s IF TextCNN: converted for rate input, its card reports direct input too. */
const lvBoth: InputForm = { ...lv, onCard: ['rate', 'direct'] };

describe('the Encoding menu says which input a model was made for', () => {
  it('names the model’s own input and marks the other', () => {
    expect(encodingOptions(bif).map((o) => o.label)).toEqual(['Rate · not this model’s', 'Direct (at step 0) · this model’s']);
    expect(encodingOptions(binary).map((o) => o.label)).toEqual(['Binary spikes · this model’s', 'Direct (at step 0) · not this model’s']);
    expect(encodingOptions(lv).map((o) => [o.label, o.fits])).toEqual([
      ['Rate · this model’s', true],
      ['Direct · not this model’s', false],
    ]);
    expect(encodingOptions(lvBoth).map((o) => o.label)).toEqual(['Rate · this model’s', 'Direct · also on its card']);
    expect(encodingOptions(null).map((o) => o.label)).toEqual(['Rate', 'Direct']);
  });

  it('warns when a choice does not fit, saying what it breaks', () => {
    expect(encodingWarning(bif, 'direct')).toBeNull();
    expect(encodingWarning(bif, 'rate')).toMatch(/^This model was converted losslessly for direct input at step 0\. With rate input its spiking network no longer computes what its ANN twin does/);
    expect(encodingWarning(lv, 'direct')).toBe('This model was made for rate input; with direct input its accuracy is not what its card says.');
    expect(encodingWarning(lvBoth, 'direct')).toBeNull();
  });
});
