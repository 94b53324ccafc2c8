import { describe, expect, it } from 'vitest';
import { compileNir, NIR_RESETS } from './compile';
import { runNirGpu } from './gpu';
import { runNirReference } from './reference';
import { nirArray, type NirArray, type NirGraph, type NirNode } from './types';
import { testGpu } from '../test-support/gpu';
import { expectClose } from '../test-support/compare';
import { TestRandom } from '../test-support/random';

const rng = new TestRandom(13);
const DT = 1e-3;
const arr = (shape: number[], low: number, high: number): NirArray => ({ shape, data: rng.floats(shape.reduce((a, b) => a * b, 1), low, high) });
const fill = (n: number, x: number): NirArray => nirArray(Array(n).fill(x));

/** A graph with every node type: 2-D and 1-D convolutions, pools, a recurrent CubaLIF, a self-loop, summed inputs. */
function everyNode(): NirGraph {
  const n = 6;
  const recurrent: NirGraph = {
    type: 'NIRGraph',
    nodes: new Map<string, NirNode>([
      ['input', { type: 'Input', shape: [n] }],
      ['lif', { type: 'CubaLIF', tauSyn: arr([n], 2e-3, 5e-3), tauMem: arr([n], 5e-3, 2e-2), r: fill(n, 10), vLeak: arr([n], -0.1, 0.1), vThreshold: arr([n], 0.5, 1), vReset: fill(n, 0), wIn: arr([n], 1, 3) }],
      ['w_rec', { type: 'Linear', weight: arr([n, n], -0.6, 0.6) }],
      ['output', { type: 'Output', shape: [n] }],
    ]),
    edges: [['input', 'lif'], ['lif', 'w_rec'], ['w_rec', 'lif'], ['lif', 'output']],
  };
  const nodes: [string, NirNode][] = [
    ['input', { type: 'Input', shape: [2, 5, 5] }],
    ['conv2d', { type: 'Conv2d', weight: arr([4, 1, 3, 3], -0.5, 0.5), bias: arr([4], -0.1, 0.1), stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 2 }],
    ['lif2d', { type: 'LIF', tau: fill(1, 4e-3), r: fill(1, 3), vLeak: fill(1, 0), vThreshold: fill(1, 0.3), vReset: fill(1, -0.05) }],
    ['sumpool', { type: 'SumPool2d', kernelSize: [2, 2], stride: [2, 2], padding: [0, 0] }],
    ['avgpool', { type: 'AvgPool2d', kernelSize: [3, 3], stride: [2, 2], padding: [1, 1] }],
    ['flat', { type: 'Flatten', startDim: 1, endDim: 2, inputShape: undefined }],
    ['conv1d', { type: 'Conv1d', weight: arr([3, 4, 3], -0.4, 0.4), bias: arr([3], -0.1, 0.1), stride: [2], padding: [2], dilation: [2], groups: 1 }],
    ['iaf', { type: 'IF', r: arr([3, 5], 400, 800), vThreshold: fill(15, 0.15), vReset: fill(15, 0) }],
    ['flat2', { type: 'Flatten', startDim: 0, endDim: -1 }],
    ['fc', { type: 'Affine', weight: arr([6, 15], -0.5, 0.5), bias: arr([6], 0, 0.2) }],
    ['rsyn', recurrent],
    ['scale', { type: 'Scale', scale: arr([6], 0.5, 2) }],
    ['li', { type: 'LI', tau: arr([6], 2e-3, 8e-3), r: fill(6, 1), vLeak: fill(6, 0.1) }],
    ['thr', { type: 'Threshold', threshold: fill(6, 0.05) }],
    ['delay', { type: 'Delay', delay: nirArray([0, 1e-3, 2e-3, 3e-3, 0, 5e-3]) }],
    ['integrator', { type: 'I', r: fill(6, 100) }],
    ['cubali', { type: 'CubaLI', tauSyn: fill(6, 3e-3), tauMem: fill(6, 6e-3), r: fill(6, 1), vLeak: fill(6, 0), wIn: fill(6, 2) }],
    ['selfloop', { type: 'LIF', tau: fill(6, 5e-3), r: fill(6, 5), vLeak: fill(6, 0), vThreshold: fill(6, 0.8), vReset: fill(6, 0) }],
    ['self_w', { type: 'Scale', scale: fill(6, -0.3) }],
    ['output', { type: 'Output', shape: [6] }],
  ];
  return {
    type: 'NIRGraph',
    nodes: new Map(nodes),
    edges: [
      ['input', 'conv2d'],
      ['conv2d', 'lif2d'],
      ['lif2d', 'sumpool'],
      ['lif2d', 'avgpool'],
      ['avgpool', 'flat'],
      ['flat', 'conv1d'],
      ['conv1d', 'iaf'],
      ['iaf', 'flat2'],
      ['flat2', 'fc'],
      ['fc', 'rsyn'],
      ['rsyn', 'scale'],
      ['scale', 'li'],
      ['li', 'thr'],
      ['thr', 'delay'],
      ['delay', 'integrator'],
      ['integrator', 'integrator'],
      ['fc', 'cubali'],
      ['delay', 'cubali'],
      ['fc', 'selfloop'],
      ['selfloop', 'self_w'],
      ['self_w', 'selfloop'],
      ['selfloop', 'output'],
      ['rsyn', 'output'],
    ],
  };
}

describe('NIR on the GPU against the CPU reference', () => {
  for (const reset of NIR_RESETS) {
    it(`runs every node type, recurrence, a self-loop and summed inputs, in chunks (reset ${reset})`, async () => {
      const ctx = await testGpu();
      const program = compileNir(everyNode(), { dt: DT, reset });
      expect(program.nodes.find((n) => n.path === 'sumpool')!.shape).toEqual([4, 2, 2]);
      expect(program.nodes.find((n) => n.path === 'conv1d')!.shape).toEqual([3, 5]);
      const steps = 37;
      const input = Float32Array.from({ length: steps * 50 }, () => (rng.next() < 0.3 ? 1 : 0));
      const reference = runNirReference(program, input, steps);
      const gpu = await runNirGpu(ctx, program, input, steps, { chunkSteps: 8 });
      let spikes = 0;
      for (const r of reference.nodes) {
        const g = gpu.nodes.find((n) => n.path === r.path)!;
        if (r.spikes) {
          expect(Array.from(g.spikes!), r.path).toEqual(Array.from(r.spikes));
          spikes += r.spikes.reduce((a, b) => a + b, 0);
        }
        if (r.v) expectClose(g.v!, r.v, 1e-4, 1e-4);
        if (r.current) expectClose(g.current!, r.current, 1e-4, 1e-4);
        if (r.output) expectClose(g.output!, r.output, 1e-4, 1e-4);
      }
      expect(spikes).toBeGreaterThan(100);
      for (const name of ['iaf', 'rsyn.lif', 'selfloop']) {
        expect(reference.nodes.find((n) => n.path === name)!.spikes!.some((s) => s > 0), name).toBe(true);
      }
    });
  }
});
