import { describe, expect, it } from 'vitest';
import { decidedAtStep, formatScore } from './decision';

describe('decidedAtStep', () => {
  it('finds the step from which the winner leads for good', () => {
    expect(decidedAtStep([[0, 0], [1, 0], [1, 1], [1, 2], [1, 3]], 1)).toBe(3);
    expect(decidedAtStep([[0, 1], [0, 2]], 1)).toBe(0);
  });

  it('is null when the winner only ties at the end', () => {
    expect(decidedAtStep([[1, 0], [1, 1]], 0)).toBeNull();
    expect(decidedAtStep([], 0)).toBeNull();
  });
});

describe('formatScore', () => {
  it('shows spike counts whole and a non-spiking readout\'s summed currents to 3 decimals', () => {
    expect(formatScore(16)).toBe('16');
    expect(formatScore(-1.5961720943450928)).toBe('-1.596');
  });
});
