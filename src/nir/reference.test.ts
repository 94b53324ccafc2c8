import { describe, expect, it } from 'vitest';
import { compileNir } from './compile';
import { runNirReference } from './reference';
import { nirArray, NirFormatError, type NirGraph, type NirNode } from './types';

function graph(nodes: Record<string, NirNode>, edges: [string, string][]): NirGraph {
  return { type: 'NIRGraph', nodes: new Map(Object.entries(nodes)), edges };
}

const DT = 1e-4;

/** An snnTorch-style LIF: τ = dt / (1 − β), r = τ / dt, so that v ← β·v + x. */
function lif(beta: number, threshold: number, n: number): NirNode {
  const tau = DT / (1 - beta);
  return {
    type: 'LIF',
    tau: nirArray(Array(n).fill(tau)),
    r: nirArray(Array(n).fill(tau / DT)),
    vLeak: nirArray(Array(n).fill(0)),
    vThreshold: nirArray(Array(n).fill(threshold)),
    vReset: nirArray(Array(n).fill(0)),
  };
}

describe('NIR reference simulator', () => {
  it('runs Affine → LIF as the discrete equations say, with both resets', () => {
    const g = graph(
      {
        input: { type: 'Input', shape: [2] },
        fc: { type: 'Affine', weight: nirArray([0.5, 0.25, -0.3, 0.8], [2, 2]), bias: nirArray([0.1, 0]) },
        lif: lif(0.9, 1, 2),
        output: { type: 'Output', shape: [2] },
      },
      [
        ['input', 'fc'],
        ['fc', 'lif'],
        ['lif', 'output'],
      ],
    );
    const steps = 20;
    const input = Float32Array.from({ length: steps * 2 }, (_, i) => ((i * 7) % 5) / 2);
    for (const reset of ['zero', 'subtract'] as const) {
      const trace = runNirReference(compileNir(g, { dt: DT, reset }), input, steps);
      const node = trace.nodes.find((n) => n.path === 'lif')!;
      const v = [0, 0];
      let spikes = 0;
      for (let t = 0; t < steps; t++) {
        for (let n = 0; n < 2; n++) {
          const x = n === 0 ? 0.5 * input[2 * t] + 0.25 * input[2 * t + 1] + 0.1 : -0.3 * input[2 * t] + 0.8 * input[2 * t + 1];
          v[n] = 0.9 * v[n] + x;
          const spike = v[n] > 1 ? 1 : 0;
          if (spike) v[n] = reset === 'zero' ? 0 : v[n] - 1;
          spikes += spike;
          expect(node.spikes![t * 2 + n]).toBe(spike);
          expect(node.v![t * 2 + n]).toBeCloseTo(v[n], 4);
        }
      }
      expect(spikes).toBeGreaterThan(5);
      const out = trace.nodes.find((n) => n.path === 'output')!;
      expect(Array.from(out.output!)).toEqual(Array.from(node.spikes!));
    }
  });

  it('runs a nested recurrent CubaLIF graph: the recurrent edge carries the step before', () => {
    const n = 2;
    const alpha = 0.8;
    const beta = 0.9;
    const tauSyn = DT / (1 - alpha);
    const tauMem = DT / (1 - beta);
    const inner = graph(
      {
        input: { type: 'Input', shape: [n] },
        lif: {
          type: 'CubaLIF',
          tauSyn: nirArray([tauSyn, tauSyn]),
          tauMem: nirArray([tauMem, tauMem]),
          r: nirArray([tauMem / DT, tauMem / DT]),
          vLeak: nirArray([0, 0]),
          vThreshold: nirArray([1, 1]),
          vReset: nirArray([0, 0]),
          wIn: nirArray([tauSyn / DT, tauSyn / DT]),
        },
        w_rec: { type: 'Linear', weight: nirArray([0, -0.5, 0.7, 0], [2, 2]) },
        output: { type: 'Output', shape: [n] },
      },
      [
        ['input', 'lif'],
        ['lif', 'w_rec'],
        ['w_rec', 'lif'],
        ['lif', 'output'],
      ],
    );
    const g = graph(
      { input: { type: 'Input', shape: [n] }, rsyn: inner, output: { type: 'Output', shape: [n] } },
      [
        ['input', 'rsyn'],
        ['rsyn', 'output'],
      ],
    );
    const program = compileNir(g, { dt: DT, reset: 'subtract' });
    const order = program.nodes.map((x) => x.path);
    expect(order.slice(0, 3)).toEqual(['input', 'rsyn.input', 'rsyn.lif']);
    expect(program.nodes.find((x) => x.path === 'rsyn.lif')!.inputs.map((e) => [order[e.source], e.previous])).toEqual([
      ['rsyn.input', false],
      ['rsyn.w_rec', true],
    ]);
    const steps = 30;
    const input = Float32Array.from({ length: steps * n }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const trace = runNirReference(program, input, steps);
    const node = trace.nodes.find((x) => x.path === 'rsyn.lif')!;
    const syn = [0, 0];
    const mem = [0, 0];
    let spk = [0, 0];
    for (let t = 0; t < steps; t++) {
      const rec = [-0.5 * spk[1], 0.7 * spk[0]];
      const next = [0, 0];
      for (let k = 0; k < n; k++) {
        syn[k] = alpha * syn[k] + input[t * n + k] + rec[k];
        mem[k] = beta * mem[k] + syn[k];
        next[k] = mem[k] > 1 ? 1 : 0;
        if (next[k]) mem[k] -= 1;
        expect(node.spikes![t * n + k]).toBe(next[k]);
        expect(node.v![t * n + k]).toBeCloseTo(mem[k], 4);
        expect(node.current![t * n + k]).toBeCloseTo(syn[k], 4);
      }
      spk = next;
    }
  });

  it('runs Conv1d, Flatten, Scale, Threshold, SumPool2d, AvgPool2d, Delay, I, IF, LI and CubaLI', () => {
    const g = graph(
      {
        input: { type: 'Input', shape: [1, 4, 4] },
        pool: { type: 'SumPool2d', kernelSize: [2, 2], stride: [2, 2], padding: [0, 0] },
        avg: { type: 'AvgPool2d', kernelSize: [2, 2], stride: [1, 1], padding: [1, 1] },
        flat: { type: 'Flatten', startDim: 0, endDim: -1 },
        flatAvg: { type: 'Flatten', startDim: 0, endDim: -1 },
        conv: { type: 'Conv1d', weight: nirArray([1, -1, 0.5], [1, 1, 3]), bias: nirArray([0.25]), stride: [1], padding: [1], dilation: [1], groups: 1 },
        scale: { type: 'Scale', scale: nirArray(2) },
        thr: { type: 'Threshold', threshold: nirArray(1) },
        delay: { type: 'Delay', delay: nirArray(2 * DT) },
        integ: { type: 'I', r: nirArray(1 / DT) },
        iaf: { type: 'IF', r: nirArray(1 / DT), vThreshold: nirArray(2), vReset: nirArray(0) },
        li: { type: 'LI', tau: nirArray(2 * DT), r: nirArray(1), vLeak: nirArray(0.5) },
        cuba: { type: 'CubaLI', tauSyn: nirArray(2 * DT), tauMem: nirArray(4 * DT), r: nirArray(1), vLeak: nirArray(0), wIn: nirArray(1) },
        output: { type: 'Output', shape: [4] },
      },
      [
        ['input', 'pool'],
        ['input', 'avg'],
        ['avg', 'flatAvg'],
        ['pool', 'flat'],
        ['flat', 'conv'],
        ['conv', 'scale'],
        ['scale', 'thr'],
        ['thr', 'delay'],
        ['delay', 'integ'],
        ['delay', 'iaf'],
        ['scale', 'li'],
        ['scale', 'cuba'],
        ['iaf', 'output'],
      ],
    );
    const program = compileNir(g, { dt: DT, reset: 'zero' });
    expect(program.nodes.find((x) => x.path === 'flatAvg')!.shape).toEqual([25]);
    const steps = 6;
    const input = Float32Array.from({ length: steps * 16 }, (_, i) => (i * 5) % 3);
    const trace = runNirReference(program, input, steps);
    const get = (p: string) => trace.nodes.find((x) => x.path === p)!;
    const integ = get('integ').v!;
    const iaf = get('iaf');
    // Replay the chain by hand.
    const thrHistory: number[][] = [];
    const vI = [0, 0, 0, 0];
    const vIF = [0, 0, 0, 0];
    const vLI = [0, 0, 0, 0];
    const iC = [0, 0, 0, 0];
    const vC = [0, 0, 0, 0];
    for (let t = 0; t < steps; t++) {
      const x = input.subarray(t * 16, (t + 1) * 16);
      const pooled = [0, 1, 2, 3].map((o) => {
        const oy = Math.floor(o / 2) * 2;
        const ox = (o % 2) * 2;
        return x[oy * 4 + ox] + x[oy * 4 + ox + 1] + x[(oy + 1) * 4 + ox] + x[(oy + 1) * 4 + ox + 1];
      });
      const conv = pooled.map((_, j) => (pooled[j - 1] ?? 0) - pooled[j] + 0.5 * (pooled[j + 1] ?? 0) + 0.25);
      const scaled = conv.map((c) => 2 * c);
      thrHistory.push(scaled.map((s) => (s > 1 ? 1 : 0)));
      const delayed = t >= 2 ? thrHistory[t - 2] : [0, 0, 0, 0];
      for (let k = 0; k < 4; k++) {
        vI[k] += delayed[k];
        vIF[k] += delayed[k];
        const spike = vIF[k] > 2 ? 1 : 0;
        if (spike) vIF[k] = 0;
        expect(iaf.spikes![t * 4 + k]).toBe(spike);
        vLI[k] = 0.5 * vLI[k] + 0.5 * (scaled[k] + 0.5);
        iC[k] = 0.5 * iC[k] + 0.5 * scaled[k];
        vC[k] = 0.75 * vC[k] + 0.25 * iC[k];
        expect(integ[t * 4 + k]).toBeCloseTo(vI[k], 5);
        expect(iaf.v![t * 4 + k]).toBeCloseTo(vIF[k], 5);
        expect(get('li').v![t * 4 + k]).toBeCloseTo(vLI[k], 4);
        expect(get('cuba').v![t * 4 + k]).toBeCloseTo(vC[k], 4);
        expect(get('cuba').current![t * 4 + k]).toBeCloseTo(iC[k], 4);
      }
    }
    expect(get('output').output).toEqual(iaf.spikes);
  });

  it('refuses what it cannot run with one line naming the node', () => {
    const cycle = graph(
      {
        input: { type: 'Input', shape: [1] },
        a: { type: 'Scale', scale: nirArray(1) },
        b: { type: 'Scale', scale: nirArray(1) },
      },
      [
        ['input', 'a'],
        ['a', 'b'],
        ['b', 'a'],
      ],
    );
    expect(() => compileNir(cycle, { dt: DT, reset: 'zero' })).toThrow(/cycle a → b → a has no neuron or delay/);
    const sizes = graph(
      { input: { type: 'Input', shape: [3] }, fc: { type: 'Linear', weight: nirArray([1, 2, 3, 4], [2, 2]) } },
      [['input', 'fc']],
    );
    expect(() => compileNir(sizes, { dt: DT, reset: 'zero' })).toThrow(new NirFormatError("'fc' takes 2 values but its input gives 3"));
    const missing = graph({ input: { type: 'Input', shape: [3] } }, [['input', 'nowhere']]);
    expect(() => compileNir(missing, { dt: DT, reset: 'zero' })).toThrow(/names the node 'nowhere'/);
  });
});
