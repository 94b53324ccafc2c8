import { describe, expect, it } from 'vitest';
import { convReference, convPositionsOf, type ConvShape } from '../reference/conv';
import { linearReference } from '../reference/linear';
import { hashU32 } from '../reference/rng';
import { CpuOps } from './cpu-ops';
import { WasmOps, type WasmPath } from './wasm-ops';
import { kernelMemory } from '../wasm/runtime';

/** Deterministic values in [-1, 1). */
function values(count: number, seed: number): Float32Array {
  return Float32Array.from({ length: count }, (_, i) => (hashU32(seed * 7919 + i) % 20000) / 10000 - 1);
}

/** Inputs of one kind: analog, 0/1 spikes at `density`, −1/0/1 (BIF), or sparse analog. */
function inputs(kind: 'analog' | 'spikes' | 'bipolar' | 'sparse-analog', count: number, seed: number, density = 0.5): Float32Array {
  const x = values(count, seed);
  return x.map((value, i) => {
    const draw = (hashU32(seed * 31 + i * 17 + 5) % 10000) / 10000;
    if (kind === 'analog') return value * 3;
    if (kind === 'spikes') return draw < density ? 1 : 0;
    if (kind === 'bipolar') return draw < density ? (value < 0 ? -1 : 1) : 0;
    return draw < density ? value * 2 : 0;
  });
}

const PATHS: WasmPath[] = ['dense', 'sparse', 'auto'];

// Every kernel call here is split over the helper threads, however small (the engine tests and the
// goldens run the default split).
kernelMemory()!.minPartWork = 1;

describe('WebAssembly backend: the same bits as the CPU reference', () => {
  it('runs on helper threads where the machine has more than one core', async () => {
    const { availableParallelism } = await import('node:os');
    expect(kernelMemory()!.shared).toBe(true);
    if (availableParallelism() > 1) expect(kernelMemory()!.threads).toBeGreaterThan(1);
  });

  const shapes: ConvShape[] = [
    { rows: 6, batch: 3, tokens: 9, inChannels: 12, widths: [2, 3, 4], filters: 5 },
    { rows: 4, batch: 2, tokens: 20, inChannels: 100, widths: [3, 4, 5], filters: 100 },
    { rows: 5, batch: 5, tokens: 7, inChannels: 3, widths: [1], filters: 13 },
    { rows: 2, batch: 1, tokens: 3, inChannels: 8, widths: [4], filters: 4 },
  ];
  for (const [s, shape] of shapes.entries()) {
    for (const kind of ['analog', 'spikes', 'bipolar', 'sparse-analog'] as const) {
      for (const withBias of [false, true]) {
        it(`conv ${s} (${shape.widths.join('/')} × ${shape.filters}, ${shape.inChannels} in), ${kind} input${withBias ? ', bias' : ''}, every path`, () => {
          const x = inputs(kind, shape.rows * shape.tokens * shape.inChannels, s + 1, 0.3);
          const weightCount = shape.widths.reduce((sum, w) => sum + w * shape.inChannels * shape.filters, 0);
          const weights = values(weightCount, 100 + s);
          const bias = withBias ? values(shape.widths.length * shape.filters, 200 + s) : null;
          const lengths = Uint32Array.from({ length: shape.batch }, (_, b) => [shape.tokens, 1, Math.max(0, shape.tokens - 2), 0, shape.tokens + 3][b % 5]);
          const expected = convReference(shape, x, weights, bias, lengths);
          for (const path of PATHS) {
            const ops = new WasmOps(path);
            const output = ops.allocate('out', expected.length) as Float32Array;
            output.fill(7);
            ops.conv({ shape, rowStart: 0, rowCount: shape.rows, input: ops.upload('x', x), weights: ops.upload('w', weights), bias: bias && ops.upload('b', bias), lengths: ops.upload('l', lengths), output });
            expect(Array.from(output), path).toEqual(Array.from(expected));
            ops.dispose();
          }
        });
      }
    }
  }

  it('linear layer: dense and spike inputs, with and without bias, odd sizes', () => {
    for (const [rows, inF, outF] of [[7, 300, 2], [3, 5, 9], [16, 64, 33]]) {
      for (const kind of ['analog', 'spikes'] as const) {
        const x = inputs(kind, rows * inF, rows + inF, 0.4);
        const weights = values(inF * outF, outF);
        const bias = values(outF, 3);
        for (const b of [null, bias]) {
          const expected = linearReference(rows, inF, outF, x, weights, b);
          for (const path of PATHS) {
            const ops = new WasmOps(path);
            const output = ops.allocate('y', expected.length) as Float32Array;
            ops.linear({ rows, rowStart: 0, rowCount: rows, inFeatures: inF, outFeatures: outF, input: ops.upload('x', x), weights: ops.upload('w', weights), bias: b && ops.upload('b', b), output });
            expect(Array.from(output), `${rows}×${inF}→${outF} ${kind} ${path}`).toEqual(Array.from(expected));
            ops.dispose();
          }
        }
      }
    }
  });

  it('tensors from outside its memory are copied in and out (the unshared case)', () => {
    const shape: ConvShape = { rows: 3, batch: 3, tokens: 6, inChannels: 10, widths: [2, 3], filters: 6 };
    const x = inputs('spikes', shape.rows * shape.tokens * shape.inChannels, 9);
    const weights = values(5 * 10 * 6, 4);
    const lengths = Uint32Array.of(6, 4, 2);
    const expected = convReference(shape, x, weights, null, lengths);
    const ops = new WasmOps();
    const output = new Float32Array(shape.rows * convPositionsOf(shape) * 12);
    ops.conv({ shape, rowStart: 0, rowCount: shape.rows, input: x, weights, bias: null, lengths, output });
    expect(Array.from(output)).toEqual(Array.from(expected));
    expect(new CpuOps().kind).toBe(ops.kind);
  });
});

describe('WebAssembly backend: encoding, neurons, pooling and sums equal the reference', () => {
  const vocab = 7;
  const dim = 10;
  const probabilities = values(vocab * dim, 5).map((v) => Math.abs(v));
  it('rate, direct and first-step encoding, chunk offsets and silent tokens', () => {
    for (const kind of ['rate', 'direct'] as const) {
      for (const firstStepOnly of [false, true]) {
        const shape = { numSteps: 5, batch: 9, tokens: 4, dim };
        const tokenIds = Int32Array.from({ length: 36 }, (_, i) => (i % 5 === 3 ? -1 : i % vocab));
        const streamIds = Uint32Array.from({ length: 9 }, (_, b) => 100 + b * 3);
        const args = { kind, seed: 77, shape, tokenIds, probabilities, streamIds, firstStepOnly, positionOffset: 6 };
        const expected = new Float32Array(shape.numSteps * 36 * dim);
        new CpuOps().encode({ ...args, tStart: 0, tCount: 5, output: expected });
        const ops = new WasmOps();
        const output = ops.allocate('out', expected.length) as Float32Array;
        ops.encode({ ...args, tStart: 0, tCount: 5, tokenIds: ops.upload('ids', tokenIds), probabilities: ops.upload('p', probabilities), streamIds: ops.upload('s', streamIds), output });
        expect(Array.from(output), `${kind} ${firstStepOnly}`).toEqual(Array.from(expected));
        ops.dispose();
      }
    }
  });

  it('a token outside the vocabulary is refused with the reference message', () => {
    const shape = { numSteps: 2, batch: 1, tokens: 2, dim };
    const args = { kind: 'rate' as const, seed: 1, shape, tokenIds: Int32Array.of(1, vocab), probabilities, streamIds: Uint32Array.of(0), positionOffset: 0, tStart: 0, tCount: 2 };
    expect(() => new WasmOps().encode({ ...args, output: new Float32Array(40) })).toThrow(/Token id 7 at sample 0, position 1 is outside the vocabulary of 7 words/);
  });

  const models = [
    { model: 'IF', reset: 'soft' },
    { model: 'IF', reset: 'hard', vReset: -0.25 },
    { model: 'IF', reset: 'none' },
    { model: 'LIF', reset: 'soft', beta: 0.9 },
    { model: 'LIF', reset: 'hard', beta: 0.75 },
    { model: 'PLIF', reset: 'soft', betas: Float32Array.of(0.9, 0.5, 0.99) },
    { model: 'BIF', reset: 'soft', levels: 4 },
  ] as const;
  for (const m of models) {
    for (const perChannel of [false, true]) {
      it(`neuron ${m.model} (${m.reset} reset${perChannel ? ', thresholds per channel' : ''}): spikes, membrane and state over two calls, also with a broadcast input`, () => {
        const neurons = 3 * 1031;
        const numSteps = 6;
        const params = {
          model: m.model,
          reset: m.reset,
          vThreshold: perChannel ? Float32Array.of(0.5, 1, 0.75) : Float32Array.of(0.8),
          channels: 3,
          beta: 'beta' in m ? m.beta : 1,
          ...('betas' in m ? { betas: m.betas } : {}),
          vReset: 'vReset' in m ? m.vReset : 0,
          vInitFraction: 0.5,
          levels: 'levels' in m ? m.levels : 2,
        };
        for (const xBroadcast of [false, true]) {
          const x = values((xBroadcast ? 1 : numSteps) * neurons, 9).map((v) => v * 1.5);
          const cpu = new CpuOps();
          const wasm = new WasmOps();
          const cpuLayer = cpu.neuronLayer('n', params, neurons);
          const wasmLayer = wasm.neuronLayer('n', params, neurons);
          for (let call = 0; call < 2; call++) {
            const expected = { spikes: new Float32Array(numSteps * neurons), membrane: new Float32Array(numSteps * neurons) };
            cpu.neuron({ params, neurons, tStart: 0, tCount: numSteps, x, spikes: expected.spikes, membrane: expected.membrane, layer: cpuLayer, xBroadcast });
            const spikes = wasm.allocate('s', numSteps * neurons) as Float32Array;
            const membrane = wasm.allocate('m', numSteps * neurons) as Float32Array;
            wasm.neuron({ params, neurons, tStart: 0, tCount: numSteps, x: wasm.upload('x', x), spikes, membrane, layer: wasmLayer, xBroadcast });
            expect(Array.from(spikes)).toEqual(Array.from(expected.spikes));
            expect(Array.from(membrane)).toEqual(Array.from(expected.membrane));
            expect(Array.from(wasmLayer.state.v)).toEqual(Array.from(cpuLayer.state.v));
            expect(Array.from(wasmLayer.state.count)).toEqual(Array.from(cpuLayer.state.count));
          }
          wasm.dispose();
        }
      });
    }
  }

  it('learned thresholds and leaks are read from their tensors', () => {
    const neurons = 4 * 301;
    const params = { model: 'PLIF' as const, reset: 'soft' as const, vThreshold: Float32Array.of(1), channels: 4, beta: 0.9, vReset: 0, vInitFraction: 0, levels: 2 };
    const learned = { vThreshold: Float32Array.of(0.6, 0.9, 1.2, 0.3), beta: Float32Array.of(0.8, 0.95, 0.5, 0.99) };
    const x = values(5 * neurons, 4);
    const cpu = new CpuOps();
    const wasm = new WasmOps();
    const expected = new Float32Array(5 * neurons);
    cpu.neuron({ params, neurons, tStart: 0, tCount: 5, x, spikes: expected, layer: cpu.neuronLayer('n', params, neurons, learned) });
    const spikes = wasm.allocate('s', 5 * neurons) as Float32Array;
    wasm.neuron({ params, neurons, tStart: 0, tCount: 5, x, spikes, layer: wasm.neuronLayer('n', params, neurons, learned) });
    expect(Array.from(spikes)).toEqual(Array.from(expected));
  });

  it('sum pooling over valid positions per channel, fresh and accumulated; event counts, readout and sums over rows', () => {
    const shape = { rows: 40, batch: 5, positions: 7, channels: 10 };
    const input = inputs('analog', shape.rows * shape.positions * shape.channels, 3);
    const valid = Uint32Array.from({ length: shape.batch * shape.channels }, (_, i) => (i * 5) % 9);
    for (const accumulate of [false, true]) {
      const start = values(shape.rows * shape.channels, 8);
      const expected = start.slice();
      new CpuOps().poolSum({ shape, rowStart: 0, rowCount: shape.rows, input, validPositions: valid, output: expected, accumulate });
      const ops = new WasmOps();
      const output = ops.upload('o', start) as Float32Array;
      ops.poolSum({ shape, rowStart: 0, rowCount: shape.rows, input: ops.upload('i', input), validPositions: ops.upload('v', valid), output, accumulate });
      expect(Array.from(output)).toEqual(Array.from(expected));
    }
    // Spikes (whole numbers: summed four lanes at a time), analog values and huge whole numbers (summed in order).
    const huge = inputs('spikes', 6 * 50 * 9, 5).map((v) => v * 4194304);
    for (const spikes of [inputs('bipolar', 6 * 50 * 9, 4), inputs('analog', 6 * 50 * 9, 6), huge]) {
      const cpu = new CpuOps();
      const wasm = new WasmOps();
      const pairs: [string, (ops: CpuOps, out: Float32Array) => void, number][] = [
        ['countEvents', (ops, out) => ops.countEvents({ numSteps: 6, batch: 5, positions: 10, channels: 9, input: spikes, output: out }), 50],
        ['readout', (ops, out) => ops.readout({ numSteps: 6, batch: 25, classes: 2, population: 9, input: spikes, output: out }), 50],
        ['sumRows', (ops, out) => ops.sumRows({ rows: 6, columns: 450, input: spikes, output: out }), 450],
      ];
      for (const [name, run, length] of pairs) {
        const expected = new Float32Array(length);
        run(cpu, expected);
        const output = new Float32Array(length);
        run(wasm, output);
        expect(Array.from(output), name).toEqual(Array.from(expected));
      }
    }
  });
});

describe('WebAssembly backend: training ops', () => {
  it('activations (relu, identity, quantiser with a given or learned step) equal the reference bit for bit', () => {
    const x = values(4099, 12).map((v, i) => (i % 97 === 0 ? Number.NaN : i % 89 === 0 ? -0 : v * 4));
    const cases = [
      { activation: { kind: 'relu' as const } },
      { activation: { kind: 'identity' as const } },
      { activation: { kind: 'quant' as const, step: 0.37, levels: 8 } },
      { activation: { kind: 'quant' as const, levels: 4 }, step: Float32Array.of(0.21) },
    ];
    for (const c of cases) {
      const expected = new Float32Array(x.length);
      new CpuOps().activation({ count: x.length, ...c, input: x, output: expected });
      const output = new Float32Array(x.length);
      new WasmOps().activation({ count: x.length, ...c, input: x, output });
      expect(Array.from(output), c.activation.kind).toEqual(Array.from(expected));
    }
  });

  it('the convolution weight gradient agrees with the float64 reference (float32 sums)', () => {
    for (const shape of [
      { batch: 6, tokens: 11, inChannels: 30, widths: [3, 4, 5], filters: 10 },
      { batch: 3, tokens: 5, inChannels: 7, widths: [1, 2], filters: 5 },
      // Several chunks of samples, filters and columns past the blocks.
      { batch: 23, tokens: 12, inChannels: 10, widths: [2, 3], filters: 9 },
    ]) {
      const positions = shape.tokens - Math.min(...shape.widths) + 1;
      const channels = shape.widths.length * shape.filters;
      const x = values(shape.batch * shape.tokens * shape.inChannels, 21);
      const dz = values(shape.batch * positions * channels, 22);
      const lengths = Uint32Array.from({ length: shape.batch }, (_, b) => [shape.tokens, 3, 1, shape.tokens - 1, 4, 2][b % 6]);
      const total = shape.widths.reduce((sum, w) => sum + w * shape.inChannels * shape.filters, 0);
      const expected = new Float32Array(total);
      new CpuOps().convWeightBackward({ shape, input: x, gradOutput: dz, lengths, gradWeights: expected });
      const output = new Float32Array(total);
      new WasmOps().convWeightBackward({ shape, input: x, gradOutput: dz, lengths, gradWeights: output });
      const scale = Math.max(...expected.map(Math.abs));
      for (let i = 0; i < total; i++) expect(Math.abs(output[i] - expected[i])).toBeLessThanOrEqual(1e-5 * scale);
    }
  });
});

describe('linear input gradient (the product with the transposed weights)', () => {
  it('equals the reference within float32 summation', () => {
    for (const [rows, inFeatures, outFeatures] of [[37, 19, 5], [300, 65, 24]]) {
      const weights = values(outFeatures * inFeatures, rows + 2);
      const dy = values(rows * outFeatures, rows + 3);
      const shape = { rows, inFeatures, outFeatures };
      const expected = new Float32Array(rows * inFeatures);
      new CpuOps().linearInputBackward({ shape, weights, gradOutput: dy, gradInput: expected });
      const output = new Float32Array(rows * inFeatures);
      new WasmOps().linearInputBackward({ shape, weights, gradOutput: dy, gradInput: output });
      const scale = Math.max(...expected.map(Math.abs));
      expected.forEach((e, i) => expect(Math.abs(output[i] - e)).toBeLessThanOrEqual(1e-5 * scale));
    }
  });
});

describe('linear weight gradient (a convolution of width 1 per row)', () => {
  it('equals the reference within float32 summation, weights and bias', () => {
    for (const [rows, inFeatures, outFeatures] of [[37, 19, 5], [300, 64, 24]]) {
      const x = values(rows * inFeatures, rows);
      const dy = values(rows * outFeatures, rows + 1);
      const shape = { rows, inFeatures, outFeatures };
      const expected = { w: new Float32Array(outFeatures * inFeatures), b: new Float32Array(outFeatures) };
      new CpuOps().linearWeightBackward({ shape, input: x, gradOutput: dy, gradWeights: expected.w, gradBias: expected.b });
      const output = { w: new Float32Array(outFeatures * inFeatures), b: new Float32Array(outFeatures) };
      new WasmOps().linearWeightBackward({ shape, input: x, gradOutput: dy, gradWeights: output.w, gradBias: output.b });
      for (const key of ['w', 'b'] as const) {
        const scale = Math.max(...expected[key].map(Math.abs));
        expected[key].forEach((e, i) => expect(Math.abs(output[key][i] - e)).toBeLessThanOrEqual(1e-5 * scale));
      }
    }
  });
});

describe('WebAssembly backend over an unshared memory (a page that is not cross-origin isolated)', () => {
  it('copies tensors in and out and gives the same bits: a whole network run', async () => {
    const { unsharedKernelMemory } = await import('../wasm/runtime');
    const memory = unsharedKernelMemory();
    expect(memory.shared).toBe(false);
    expect(memory.threads).toBe(1);
    const shape: ConvShape = { rows: 8, batch: 4, tokens: 9, inChannels: 16, widths: [2, 3], filters: 7 };
    const x = inputs('spikes', shape.rows * shape.tokens * shape.inChannels, 31);
    const weights = values(5 * 16 * 7, 32);
    const lengths = Uint32Array.of(9, 5, 2, 7);
    const expected = convReference(shape, x, weights, null, lengths);
    const ops = new WasmOps('auto', undefined, memory);
    const output = ops.allocate('out', expected.length) as Float32Array;
    expect(memory.offsetOf(output)).toBe(-1);
    ops.conv({ shape, rowStart: 0, rowCount: shape.rows, input: ops.upload('x', x), weights, bias: null, lengths, output });
    expect(Array.from(output)).toEqual(Array.from(expected));
    const neurons = 14 * 9;
    const params = { model: 'IF' as const, reset: 'soft' as const, vThreshold: Float32Array.of(0.5), channels: 14, beta: 1, vReset: 0, vInitFraction: 0, levels: 2 };
    const cpu = new CpuOps();
    const spikesExpected = new Float32Array(8 * neurons);
    const drive = values(8 * neurons, 33);
    cpu.neuron({ params, neurons, tStart: 0, tCount: 8, x: drive, spikes: spikesExpected, layer: cpu.neuronLayer('n', params, neurons) });
    const spikes = ops.allocate('s', 8 * neurons) as Float32Array;
    ops.neuron({ params, neurons, tStart: 0, tCount: 8, x: drive, spikes, layer: ops.neuronLayer('n', params, neurons) });
    expect(Array.from(spikes)).toEqual(Array.from(spikesExpected));
    ops.dispose();
    expect(memory.used).toBe(0);
  });
});

describe('WebAssembly backend: BPTT through the neurons equals the reference bit for bit', () => {
  const neurons = 3 * 1029;
  const numSteps = 7;
  const surrogates = [{ kind: 'fast-sigmoid' as const, slope: 25 }, { kind: 'piecewise-linear' as const }];
  const models = [
    { model: 'IF' as const, reset: 'soft' as const },
    { model: 'IF' as const, reset: 'none' as const },
    { model: 'LIF' as const, reset: 'soft' as const, beta: 0.9 },
    { model: 'PLIF' as const, reset: 'soft' as const, beta: 0.9 },
    { model: 'PLIF' as const, reset: 'none' as const, beta: 0.8 },
  ];
  for (const m of models) {
    for (const surrogate of surrogates) {
      for (const detachReset of [false, true]) {
        it(`${m.model}, ${m.reset} reset, ${surrogate.kind}${detachReset ? ', reset detached' : ''}`, () => {
          const params = { ...m, vThreshold: Float32Array.of(0.7, 1, 0.4), channels: 3, beta: m.beta ?? 1, vReset: 0, vInitFraction: 0.5, levels: 2 };
          const membrane = values(numSteps * neurons, 41).map((v) => v * 1.2);
          const gradSpikes = values(numSteps * neurons, 42);
          const spikes = membrane.map((h, i) => (h >= params.vThreshold[(i % neurons) % 3] ? 1 : 0));
          const learnedParams = m.model === 'PLIF';
          const vThreshold = learnedParams ? Float32Array.of(0.6, 0.9, 1.1) : undefined;
          const beta = learnedParams ? Float32Array.of(0.85, 0.95, 0.5) : undefined;
          const run = (ops: CpuOps) => {
            const gradInput = new Float32Array(numSteps * neurons);
            const learned = learnedParams ? { spikes, gradBeta: new Float32Array(neurons), gradThreshold: new Float32Array(neurons) } : undefined;
            ops.neuronBackward({ params, neurons, numSteps, surrogate, detachReset, membrane, gradSpikes, gradInput, vThreshold, beta, learned });
            return { gradInput, learned };
          };
          const expected = run(new CpuOps());
          const actual = run(new WasmOps());
          expect(Array.from(actual.gradInput)).toEqual(Array.from(expected.gradInput));
          if (learnedParams) {
            expect(Array.from(actual.learned!.gradBeta)).toEqual(Array.from(expected.learned!.gradBeta));
            expect(Array.from(actual.learned!.gradThreshold)).toEqual(Array.from(expected.learned!.gradThreshold));
          }
        });
      }
    }
  }
});

describe('WebAssembly backend: layer state and pooling scale', () => {
  it('the initial neuron state and average pooling scale equal the reference', () => {
    for (const [vThreshold, fraction] of [[Float32Array.of(0.8), 0.5], [Float32Array.of(0.5, -1, 0.75), 0.3], [Float32Array.of(1, 2, 3), 0]] as const) {
      const params = { model: 'IF' as const, reset: 'soft' as const, vThreshold, channels: 3, beta: 1, vReset: 0, vInitFraction: fraction, levels: 2 };
      const expected = new CpuOps().neuronLayer('n', params, 3 * 77 + 2);
      const actual = new WasmOps().neuronLayer('n', params, 3 * 77 + 2);
      expect(Object.is(actual.state.v[1], expected.state.v[1])).toBe(true);
      expect(Array.from(actual.state.v)).toEqual(Array.from(expected.state.v));
      expect(Array.from(actual.state.count)).toEqual(Array.from(expected.state.count));
    }
    const values1 = values(30 * 13, 61);
    const scale = values(5 * 13, 62);
    const expected = values1.slice();
    new CpuOps().scaleRows({ rows: 30, rowStart: 0, rowCount: 30, batch: 5, channels: 13, values: expected, scale });
    const ops = new WasmOps();
    const inMemory = ops.upload('v', values1) as Float32Array;
    ops.scaleRows({ rows: 30, rowStart: 0, rowCount: 30, batch: 5, channels: 13, values: inMemory, scale });
    expect(Array.from(inMemory)).toEqual(Array.from(expected));
    const outside = values1.slice();
    ops.scaleRows({ rows: 30, rowStart: 0, rowCount: 30, batch: 5, channels: 13, values: outside, scale });
    expect(Array.from(outside)).toEqual(Array.from(expected));
  });
});
