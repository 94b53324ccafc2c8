import { describe, expect, it } from 'vitest';
import { normalizeDrive, tokenDriveFromPositions, tokenDriveFromTrain } from './token-drive';

describe('token drive', () => {
  it('shares each spike out over the words its window reads', () => {
    // 4 tokens, widths [2, 3], 1 filter each: 3 positions, 2 channels, 1 step.
    const spikes = new Float32Array(3 * 2);
    spikes[0 * 2 + 0] = 1; // width 2 at position 0 → tokens 0, 1 get 0.5
    spikes[1 * 2 + 1] = 1; // width 3 at position 1 → tokens 1, 2, 3 get 1/3
    const drive = tokenDriveFromTrain(spikes, { numSteps: 1, positions: 3, channels: 2 }, [2, 3], 4);
    expect(Array.from(drive).map((v) => +v.toFixed(4))).toEqual([0.5, 0.8333, 0.3333, 0.3333]);
  });

  it('sums over steps and counts bipolar spikes by magnitude', () => {
    const spikes = Float32Array.of(1, -1); // 2 steps, 1 position, 1 channel
    const drive = tokenDriveFromTrain(spikes, { numSteps: 2, positions: 1, channels: 1 }, [1], 1);
    expect(drive[0]).toBe(2);
  });

  it('spreads per-position totals over the narrowest window and ignores padding past the text', () => {
    const drive = tokenDriveFromPositions(Float32Array.of(4, 0, 2), 2, 3);
    expect(Array.from(drive)).toEqual([2, 2, 1]);
  });

  it('normalises to the strongest word', () => {
    expect(Array.from(normalizeDrive(Float32Array.of(1, 4, 2)))).toEqual([0.25, 1, 0.5]);
    expect(Array.from(normalizeDrive(Float32Array.of(0, 0)))).toEqual([0, 0]);
  });
});
