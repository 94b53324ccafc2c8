/**
 * Graphs written by snnTorch, Norse and Python's `nir` (`fixtures/nir/`, `scripts/nir-fixtures.py`)
 * run as those tools simulated them: the same spikes at the same steps, the membrane within 1e-5.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileNir, type NirReset } from './compile';
import { parseNirInputCsv } from './csv';
import { runNirGpu } from './gpu';
import { readNir } from './read';
import { runNirReference, type NirTrace } from './reference';
import { NIR_NEURON_TYPES, NirFormatError, type NirGraph } from './types';
import { testGpu } from '../test-support/gpu';

const FIXTURES = join(__dirname, '../../fixtures/nir');

interface ToolTrace {
  tool: string;
  dt: number;
  steps: number;
  reset: 'zero' | 'subtract';
  vRecorded: 'before-reset' | 'after-reset';
  nodes: Record<string, { type: string; v?: number[][]; spikes?: number[][]; synapticCurrent?: number[][] }>;
  output: number[][];
}

function load(graphName: string, traceName = graphName) {
  const file = readNir(new Uint8Array(readFileSync(join(FIXTURES, `${graphName}.nir`))), `${graphName}.nir`);
  const trace = JSON.parse(readFileSync(join(FIXTURES, `${traceName}.trace.json`), 'utf8')) as ToolTrace;
  return { graph: file.graph, version: file.version, trace, csv: readFileSync(join(FIXTURES, `${traceName}.input.csv`), 'utf8') };
}

/** snnTorch subtracts at the step after a spike (reset_delay), and reports v before that reset. */
function resetOf(trace: ToolTrace): NirReset {
  if (trace.reset === 'zero') return 'zero';
  expect(trace.tool).toBe('snntorch');
  expect(trace.vRecorded).toBe('before-reset');
  return 'subtract-delayed';
}

function expectTraceMatches(ours: NirTrace, theirs: ToolTrace, label: string): number {
  let spikes = 0;
  let compared = 0;
  for (const [path, node] of Object.entries(theirs.nodes)) {
    if (!NIR_NEURON_TYPES.has(node.type)) continue;
    const mine = ours.nodes.find((n) => n.path === path);
    expect(mine, `${label}: node ${path}`).toBeDefined();
    for (let t = 0; t < theirs.steps; t++) {
      const row = (values: Float32Array) => Array.from(values.subarray(t * mine!.size, (t + 1) * mine!.size));
      if (node.spikes) {
        expect(row(mine!.spikes!), `${label}: ${path} spikes at step ${t}`).toEqual(node.spikes[t]);
        spikes += node.spikes[t].reduce((a, b) => a + b, 0);
      }
      const close = (actual: number[], expected: number[], what: string) =>
        actual.forEach((x, i) => expect(Math.abs(x - expected[i]), `${label}: ${path} ${what}[${t}][${i}]: ${x} vs ${expected[i]}`).toBeLessThan(1e-5 + 1e-5 * Math.abs(expected[i])));
      if (node.v) close(row(mine!.v!), node.v[t], 'v');
      if (node.synapticCurrent) close(row(mine!.current!), node.synapticCurrent[t], 'i');
      compared++;
    }
  }
  expect(compared).toBeGreaterThan(0);
  const output = ours.nodes.find((n) => n.output);
  if (output && theirs.output) {
    for (let t = 0; t < theirs.steps; t++) {
      const row = Array.from(output.output!.subarray(t * output.size, (t + 1) * output.size));
      row.forEach((x, i) => expect(Math.abs(x - theirs.output[t][i]), `${label}: output[${t}][${i}]`).toBeLessThan(1e-5 + 1e-5 * Math.abs(theirs.output[t][i])));
    }
  }
  return spikes;
}

async function runBoth(graph: NirGraph, trace: ToolTrace, csv: string, label: string) {
  const program = compileNir(graph, { dt: trace.dt, reset: resetOf(trace) });
  const input = parseNirInputCsv(csv, program.nodes[program.input].size);
  expect(input.steps).toBe(trace.steps);
  const spikes = expectTraceMatches(runNirReference(program, input.values, input.steps), trace, `${label} (CPU)`);
  expectTraceMatches(await runNirGpu(await testGpu(), program, input.values, input.steps, { chunkSteps: 16 }), trace, `${label} (GPU)`);
  return spikes;
}

describe('NIR graphs from other tools run as the tools ran them', () => {
  for (const name of ['snntorch-affine-lif', 'snntorch-conv2d-lif', 'snntorch-recurrent-cubalif', 'norse-affine-lif', 'nir-misc']) {
    it(name, async () => {
      const { graph, trace, csv } = load(name);
      const spikes = await runBoth(graph, trace, csv, name);
      if (name !== 'nir-misc') expect(spikes).toBeGreaterThan(10);
    });
  }

  it('a nested graph: snnTorch RSynaptic as a NIRGraph inside the graph reproduces the flattened file', async () => {
    const { graph, trace, csv } = load('nested-recurrent-cubalif', 'snntorch-recurrent-cubalif');
    expect(graph.nodes.get('1')!.type).toBe('NIRGraph');
    expect(await runBoth(graph, trace, csv, 'nested')).toBeGreaterThan(10);
  });

  it("Norse's IF integrates without dt: its file reproduces Norse's run once r = 1/dt, as the NIR equation dv/dt = R·I asks", async () => {
    const { graph, trace, csv } = load('norse-conv2d-if');
    const iaf = graph.nodes.get('_1')!;
    if (iaf.type !== 'IF') throw new Error(`expected an IF node, got ${iaf.type}`);
    // As written (r = 1), Euler at Norse's dt of 1e-3 integrates a thousandth of what Norse did.
    const asWritten = runNirReference(compileNir(graph, { dt: trace.dt, reset: 'zero' }), parseNirInputCsv(csv, 16).values, trace.steps);
    expect(asWritten.nodes.find((n) => n.path === '_1')!.spikes!.some((s) => s > 0)).toBe(false);
    iaf.r = { shape: iaf.r.shape, data: iaf.r.data.map(() => 1 / trace.dt) };
    expect(await runBoth(graph, trace, csv, 'norse-conv2d-if')).toBeGreaterThan(10);
  });
});

describe('a bad NIR file gets one line naming what is wrong', () => {
  const read = (name: string) => () => compileNir(readNir(new Uint8Array(readFileSync(join(FIXTURES, 'bad', name))), name).graph, { dt: 1e-4, reset: 'zero' });
  const cases: [string, RegExp][] = [
    ['huge-shape.nir', /'fc\.weight' has shape \[200000, 200000\], above the limit/],
    ['wrong-type.nir', /'lif\.tau' holds strings, not numbers/],
    ['unknown-node.nir', /unsupported NIR node type 'Spiral' at 'twist'/],
    ['unknown-parameter.nir', /unsupported parameter 'gain' of LIF node 'lif'/],
    ['stateless-cycle.nir', /the cycle a → b → a has no neuron or delay to hold its state/],
    ['no-graph.nir', /has no group 'node': it is an HDF5 file but not a NIR graph/],
  ];
  for (const [name, message] of cases) {
    it(name, () => {
      expect(read(name)).toThrow(NirFormatError);
      expect(read(name)).toThrow(message);
    });
  }

  it('not HDF5, empty, or cut short at any length', () => {
    expect(() => readNir(new TextEncoder().encode('input,output\n1,2\n'), 'a.csv')).toThrow(/a\.csv is not a NIR file: it does not start with the HDF5 signature/);
    expect(() => readNir(new Uint8Array(0), 'empty.nir')).toThrow(NirFormatError);
    const bytes = new Uint8Array(readFileSync(join(FIXTURES, 'snntorch-affine-lif.nir')));
    let refused = 0;
    for (let length = 8; length < bytes.length; length += 997) {
      // Either a clear refusal, or (where the cut only took unused bytes) the whole graph.
      try {
        compileNir(readNir(bytes.slice(0, length), 'cut.nir').graph, { dt: 1e-4, reset: 'zero' });
      } catch (error) {
        expect(error, `cut at ${length}`).toBeInstanceOf(NirFormatError);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(30);
  });

  it('an input CSV of the wrong width, with a header, or empty', () => {
    expect(() => parseNirInputCsv('1,0,1\n0,0\n', 3, 'in.csv')).toThrow('in.csv, line 2: 2 columns, but the graph\'s input has 3 elements');
    expect(() => parseNirInputCsv('a,b,c\n1,0,1\n', 3, 'in.csv')).toThrow("in.csv, line 1, column 1: 'a' is not a number (the file has no header row)");
    expect(() => parseNirInputCsv('\n\n', 3, 'in.csv')).toThrow('in.csv is empty');
    expect(parseNirInputCsv('1, 0.5 ,-2\r\n0,0,1e-3\n\n', 3).values).toEqual(Float32Array.from([1, 0.5, -2, 0, 0, 1e-3]));
  });
});
