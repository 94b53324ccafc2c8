import { describe, expect, it } from 'vitest';
import { decidedAtStep, formatScore, scoreCapNote } from './decision';

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

describe('scoreCapNote', () => {
  it('explains a spike count that cannot reach the twin’s score at this T', () => {
    expect(scoreCapNote([30, 12.5], 16, 1, true)).toBe("A class's spike count cannot exceed 16 at T = 16 (one spike per step), so the ANN twin's 30.000 is out of reach: the counts match the twin's scores from T = 30 on.");
    expect(scoreCapNote([30, 12.5], 64, 1, true)).toBeNull();
    expect(scoreCapNote([45, 3], 4, 10, true)).toMatch(/cannot exceed 40 at T = 4 \(one spike per step for each of its 10 output neurons\).*from T = 5 on/);
    expect(scoreCapNote([30, 12.5], 16, 1, false)).toBeNull();
    expect(scoreCapNote(null, 16, 1, true)).toBeNull();
  });
});
