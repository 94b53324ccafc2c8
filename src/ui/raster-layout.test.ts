import { describe, expect, it } from 'vitest';
import { maskedRows, neuronInfo, neuronSpikeCount, neuronSpikes, rasterImage, RASTER_COLOURS, snapToSpike, type RasterContext, type RasterTrain } from './raster-layout';

const context: RasterContext = { tokens: ['a', 'fine', 'film'], paddedLength: 4, conv: { widths: [2, 3], filters: 2 }, classes: ['negative', 'positive'], population: 1 };

/** A conv-layer train: 4 padded tokens, min width 2 → 3 positions, 4 channels, 2 steps. */
function convTrain(): RasterTrain {
  const spikes = new Float32Array(2 * 3 * 4);
  spikes[0 * 12 + 1 * 4 + 2] = 1; // t0, position 1, channel 2
  spikes[1 * 12 + 1 * 4 + 2] = 1; // t1, same neuron
  spikes[1 * 12 + 0 * 4 + 0] = -1; // t1, position 0, channel 0 (bipolar negative)
  return { layer: 'conv_spike', role: 'positional', numSteps: 2, positions: 3, channels: 4, spikes };
}

describe('raster layout', () => {
  it('names a convolution neuron by position, branch, filter and window', () => {
    const info = neuronInfo(convTrain(), 1 * 4 + 3, context);
    expect(info).toMatchObject({ position: 1, channel: 3, role: 'filter 2 of the width-3 branch', token: 'fine', window: ['fine', 'film', '∅'], masked: false });
    expect(neuronInfo(convTrain(), 2 * 4 + 2, context).masked).toBe(true);
    expect(neuronInfo(convTrain(), 2 * 4 + 1, context).masked).toBe(false);
  });

  it('names input, pooled and output neurons', () => {
    const input: RasterTrain = { layer: 'input', role: 'input', numSteps: 1, positions: 4, channels: 10, spikes: new Float32Array(40) };
    expect(neuronInfo(input, 23, context)).toMatchObject({ position: 2, token: 'film', role: 'component 4 of the embedding' });
    const pooled: RasterTrain = { layer: 'pool_spike', role: 'pooled', numSteps: 1, positions: 1, channels: 4, spikes: new Float32Array(4) };
    expect(neuronInfo(pooled, 2, context)).toMatchObject({ position: null, role: 'filter 1 of the width-3 branch, pooled over positions' });
    const output: RasterTrain = { layer: 'fc_spike', role: 'output', numSteps: 1, positions: 1, channels: 2, spikes: new Float32Array(2) };
    expect(neuronInfo(output, 1, context).role).toBe('output for “positive”');
  });

  it('counts a neuron’s spikes and lists them by step', () => {
    expect(neuronSpikeCount(convTrain(), 6)).toBe(2);
    expect(neuronSpikeCount(convTrain(), 0)).toBe(1);
    expect(Array.from(neuronSpikes(convTrain(), 0))).toEqual([0, -1]);
  });

  it('masks by the tokens each channel of the layer covers (a stacked layer covers more than its convolution)', () => {
    const train = { ...convTrain(), layer: 'stacked' };
    // Channels covering 2, 2, 4 and 4 tokens of 4 padded tokens: position 1 reaches token 4 for the last two.
    const masked = maskedRows(train, { ...context, conv: null, layerSpans: { stacked: [2, 2, 4, 4] } })!;
    expect([0, 1, 2, 3].map((c) => masked(0 * 4 + c))).toEqual([false, false, false, false]);
    expect([0, 1, 2, 3].map((c) => masked(1 * 4 + c))).toEqual([false, false, true, true]);
    expect([0, 1, 2, 3].map((c) => masked(2 * 4 + c))).toEqual([false, false, true, true]);
    expect(maskedRows(train, { ...context, conv: null })).toBeNull();
    const info = neuronInfo(train, 1 * 4 + 2, { ...context, layerSpans: { stacked: [2, 2, 4, 4] } });
    expect(info).toMatchObject({ role: 'channel 3 (covers 4 tokens)', token: 'fine', window: ['fine', 'film', '∅', '∅'], masked: true });
  });

  it('draws one pixel per cell when zoomed in: spikes opaque, masked neurons grey, others clear', () => {
    const train = convTrain();
    const image = rasterImage(train, { rowStart: 0, rowEnd: 12, rowsPerBin: 1, stepStart: 0, stepEnd: 2, stepsPerBin: 1 }, maskedRows(train, context));
    expect([image.width, image.height]).toEqual([2, 12]);
    const pixel = (x: number, y: number) => Array.from(image.rgba.subarray((y * 2 + x) * 4, (y * 2 + x) * 4 + 4));
    expect(pixel(0, 6)).toEqual([...RASTER_COLOURS.spike, 255]);
    expect(pixel(1, 0)).toEqual([...RASTER_COLOURS.negativeSpike, 255]);
    expect(pixel(0, 10)).toEqual([...RASTER_COLOURS.masked, 255]);
    expect(pixel(0, 1)[3]).toBe(0);
  });

  it('aggregates many rows into one bin without losing a lone spike', () => {
    const train = convTrain();
    const image = rasterImage(train, { rowStart: 0, rowEnd: 12, rowsPerBin: 12, stepStart: 0, stepEnd: 2, stepsPerBin: 2 }, null);
    expect([image.width, image.height]).toEqual([1, 1]);
    expect(image.rgba[3]).toBeGreaterThan(0.3 * 255);
  });
});

describe('snapToSpike', () => {
  // 40 neurons × 10 steps; neuron 17 fires at step 4, neuron 30 at step 9.
  const spikes = new Float32Array(10 * 40);
  spikes[4 * 40 + 17] = 1;
  spikes[9 * 40 + 30] = -1;
  const train: RasterTrain = { layer: 'l', role: 'hidden', numSteps: 10, positions: 1, channels: 40, spikes };

  it('a pixel of many neurons names the one that fired there, not the silent one under the pointer', () => {
    // 16 neurons per pixel: the pointer on row 12 at step 4 is within a pixel of neuron 17's spike.
    expect(snapToSpike(train, { row: 12, step: 4 }, 16, 1)).toEqual({ row: 17, step: 4 });
    expect(snapToSpike(train, { row: 36, step: 9 }, 16, 1)).toEqual({ row: 30, step: 9 });
  });

  it('one row per neuron: only spikes within a few pixels count; otherwise the cell under the pointer', () => {
    expect(snapToSpike(train, { row: 12, step: 4 }, 0.1, 0.1)).toEqual({ row: 12, step: 4 });
    expect(snapToSpike(train, { row: 17, step: 4 }, 0.1, 0.1)).toEqual({ row: 17, step: 4 });
    expect(snapToSpike(train, { row: 2, step: 0 }, 16, 1)).toEqual({ row: 2, step: 0 });
  });
});
