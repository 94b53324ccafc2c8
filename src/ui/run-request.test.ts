import { describe, expect, it } from 'vitest';
import { estimateTokens, planRecording, RECORD_CELL_BUDGET, type PlannedModel } from './run-request';

const model: PlannedModel = {
  tokenizer: 'english',
  layers: [
    { name: 'conv', kind: 'conv', positional: true, channels: 300 },
    { name: 'conv_spike', kind: 'neuron', positional: true, channels: 300 },
    { name: 'pool', kind: 'pool', positional: false, channels: 300 },
    { name: 'pool_spike', kind: 'neuron', positional: false, channels: 300 },
    { name: 'fc', kind: 'linear', positional: false, channels: 2 },
    { name: 'fc_spike', kind: 'neuron', positional: false, channels: 2 },
  ],
};

describe('planRecording', () => {
  it('records every spiking layer and the input for a sentence', () => {
    const plan = planRecording(model, 'a gorgeous , witty film', 16, null);
    expect(plan.record).toEqual({ spikeLayers: ['conv_spike', 'pool_spike', 'fc_spike'], input: true });
    expect(plan.tokenCount).toBe(5);
    expect(plan.trainsNote).toBeNull();
  });

  it('asks for the membrane of a selected neuron of a spiking layer only', () => {
    expect(planRecording(model, 'fine', 8, { layer: 'conv_spike', neuron: 42 }).record.membrane).toEqual([{ layer: 'conv_spike', neurons: [42] }]);
    expect(planRecording(model, 'fine', 8, { layer: 'fc_spike', neuron: 1 }).record.membrane).toEqual([{ layer: 'fc_spike', neurons: [1] }]);
    expect(planRecording(model, 'fine', 8, { layer: 'input', neuron: 1 }).record.membrane).toBeUndefined();
  });

  it('keeps only the small flat trains for a long text, and says why', () => {
    const text = 'word '.repeat(30_000);
    const plan = planRecording(model, text, 16, { layer: 'conv_spike', neuron: 3 });
    expect(plan.record.spikeLayers).toEqual(['pool_spike', 'fc_spike']);
    expect(plan.record.input).toBe(false);
    expect(plan.trainsNote).toMatch(/up to 150,000 tokens/);
    expect((plan.tokenCount + 1) * 16 * 300 * 2).toBeGreaterThan(RECORD_CELL_BUDGET);
  });

  it('estimates tokens with the model tokeniser, or by characters for huge texts', () => {
    expect(estimateTokens("it's good", 'english')).toBe(3);
    expect(estimateTokens('很好吃', 'chinese')).toBe(3);
    expect(estimateTokens('x'.repeat(20_001), 'english')).toBe(20_001);
  });
});
