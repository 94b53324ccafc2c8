/**
 * The app's NIR workspace, behind the worker boundary (architecture §10.5): a graph read from a
 * file, summarised for the graph view, and run on Poisson or CSV input with its traces returned.
 * Everything here is plain data, so it crosses the worker boundary as is.
 */
import { hashU32 } from '../reference/rng';
import { compileNir, NIR_RESETS, type NirProgram, type NirReset } from './compile';
import { parseNirInputCsv } from './csv';
import { readNir, type NirFile } from './read';
import { NIR_NEURON_TYPES, NIR_SPIKING_TYPES, NirFormatError, type NirArray, type NirGraph, type NirMetadata, type NirNode } from './types';

/** The most steps the app runs (the traces of every neuron come back to the page). */
export const MAX_APP_NIR_STEPS = 20_000;

export interface NirParameterSummary {
  name: string;
  shape: number[];
  min: number;
  max: number;
  mean: number;
  /** The first values, row-major. */
  preview: number[];
}

export interface NirNodeSummary {
  path: string;
  type: string;
  shape: number[];
  /** Column of the graph view: the longest chain of forward edges from the input. */
  depth: number;
  parameters: NirParameterSummary[];
  /** Settings that are not arrays: stride, padding, kernel sizes, dims. */
  settings: Record<string, string>;
  neuron: boolean;
  spiking: boolean;
}

export interface NirGraphSummary {
  fileName: string;
  version: string;
  nodes: NirNodeSummary[];
  edges: { from: string; to: string; recurrent: boolean }[];
  input: { path: string; shape: number[]; size: number };
  warnings: string[];
  metadata: NirMetadata;
  /** dt and reset the file suggests (its `spikescope.*` metadata), else the defaults. */
  dt: number;
  reset: NirReset;
}

export type NirInputChoice = { kind: 'poisson'; rateHz: number; seed: number } | { kind: 'csv'; text: string; name: string };

export interface NirRunRequest {
  steps: number;
  dt: number;
  reset: NirReset;
  input: NirInputChoice;
}

export interface NirNodeResult {
  path: string;
  type: string;
  size: number;
  /** `[steps][size]`. */
  spikes?: Float32Array;
  v?: Float32Array;
  output?: Float32Array;
  /** Per element, for the membrane plot. */
  vThreshold?: Float32Array;
}

export interface NirRunResult {
  steps: number;
  dt: number;
  reset: NirReset;
  backend: string;
  inputSpikes: number;
  nodes: NirNodeResult[];
  elapsedMs: number;
}

function summarizeArray(name: string, a: NirArray): NirParameterSummary {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const x of a.data) {
    min = Math.min(min, x);
    max = Math.max(max, x);
    sum += x;
  }
  return { name, shape: a.shape, min, max, mean: a.data.length > 0 ? sum / a.data.length : 0, preview: Array.from(a.data.subarray(0, 8)) };
}

const SNAKE: Record<string, string> = { vLeak: 'v_leak', vThreshold: 'v_threshold', vReset: 'v_reset', tauSyn: 'tau_syn', tauMem: 'tau_mem', wIn: 'w_in' };

function nodeDetails(node: NirNode): { parameters: NirParameterSummary[]; settings: Record<string, string> } {
  const parameters: NirParameterSummary[] = [];
  const settings: Record<string, string> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'type' || key === 'metadata' || value === undefined) continue;
    if (typeof value === 'object' && value !== null && 'data' in value) parameters.push(summarizeArray(SNAKE[key] ?? key, value as NirArray));
    else if (key !== 'nodes' && key !== 'edges') settings[key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = Array.isArray(value) ? `[${value.join(', ')}]` : String(value);
  }
  return { parameters, settings };
}

function findNode(graph: NirGraph, path: string): NirNode | undefined {
  const parts = path.split('.');
  let current: NirNode | undefined = graph;
  for (let i = 0; i < parts.length && current?.type === 'NIRGraph'; i++) {
    const direct: NirNode | undefined = current.nodes.get(parts.slice(i).join('.'));
    if (direct) return direct;
    current = current.nodes.get(parts[i]);
  }
  return current;
}

/** The summary the graph view draws. */
export function summarizeNir(file: NirFile, program: NirProgram, fileName: string): NirGraphSummary {
  const depth = new Array<number>(program.nodes.length).fill(0);
  program.nodes.forEach((node, k) => {
    for (const edge of node.inputs) if (!edge.previous) depth[k] = Math.max(depth[k], depth[edge.source] + 1);
  });
  const nodes = program.nodes.map((n, k): NirNodeSummary => {
    const source = findNode(file.graph, n.path);
    const { parameters, settings } = source ? nodeDetails(source) : { parameters: [], settings: {} };
    return { path: n.path, type: n.type, shape: n.shape, depth: depth[k], parameters, settings, neuron: NIR_NEURON_TYPES.has(n.type), spiking: NIR_SPIKING_TYPES.has(n.type) };
  });
  const edges = program.nodes.flatMap((n) => n.inputs.map((edge) => ({ from: program.nodes[edge.source].path, to: n.path, recurrent: edge.previous })));
  const metadata = file.graph.metadata ?? {};
  const reset = NIR_RESETS.includes(metadata['spikescope.reset'] as NirReset) ? (metadata['spikescope.reset'] as NirReset) : 'zero';
  const dt = typeof metadata['spikescope.dt'] === 'number' && metadata['spikescope.dt'] > 0 ? metadata['spikescope.dt'] : program.dt;
  const input = program.nodes[program.input];
  return { fileName, version: file.version, nodes, edges, input: { path: input.path, shape: input.shape, size: input.size }, warnings: program.warnings, metadata, dt, reset };
}

/** Poisson spike trains: each element fires at a step with probability rate·dt, from a seeded counter-based draw. */
export function poissonInput(size: number, steps: number, rateHz: number, dt: number, seed: number): Float32Array {
  const p = Math.min(1, Math.max(0, rateHz * dt));
  const values = new Float32Array(size * steps);
  const base = hashU32(seed >>> 0);
  for (let i = 0; i < values.length; i++) values[i] = hashU32(base ^ hashU32(i)) / 4294967296 < p ? 1 : 0;
  return values;
}

/** A graph opened in the app, run as often as asked. */
export class NirSession {
  private constructor(
    readonly file: NirFile,
    readonly summary: NirGraphSummary,
  ) {}

  /** Reads and checks a file; compiles it once at its suggested dt to catch problems now. */
  static open(bytes: Uint8Array, fileName: string): NirSession {
    const file = readNir(bytes, fileName);
    const program = compileNir(file.graph, { dt: 1e-4, reset: 'zero' });
    const summary = summarizeNir(file, program, fileName);
    return new NirSession(file, summary);
  }

  /** The program and input of a run, checked. */
  prepare(request: NirRunRequest): { program: NirProgram; input: Float32Array; steps: number } {
    if (!NIR_RESETS.includes(request.reset)) throw new NirFormatError(`unknown reset '${request.reset}'`);
    const program = compileNir(this.file.graph, { dt: request.dt, reset: request.reset });
    const size = program.nodes[program.input].size;
    if (request.input.kind === 'csv') {
      const parsed = parseNirInputCsv(request.input.text, size, request.input.name);
      if (parsed.steps > MAX_APP_NIR_STEPS) throw new NirFormatError(`${request.input.name} has ${parsed.steps} rows; the app runs at most ${MAX_APP_NIR_STEPS} steps (the command line runs more)`);
      return { program, input: parsed.values, steps: parsed.steps };
    }
    const steps = request.steps;
    if (!Number.isInteger(steps) || steps < 1 || steps > MAX_APP_NIR_STEPS) throw new NirFormatError(`steps must be a whole number from 1 to ${MAX_APP_NIR_STEPS}`);
    if (!(request.input.rateHz >= 0) || !Number.isFinite(request.input.rateHz)) throw new NirFormatError('the input rate must be a number of spikes per second, at least 0');
    return { program, input: poissonInput(size, steps, request.input.rateHz, request.dt, request.input.seed), steps };
  }
}

/** Per-element thresholds of the spiking nodes, for the membrane plot. */
export function thresholdsOf(program: NirProgram): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const node of program.nodes) {
    if (node.op.kind !== 'neuron' || !node.op.spiking) continue;
    const values = new Float32Array(node.size);
    for (let i = 0; i < node.size; i++) values[i] = node.op.params[i * 8 + 3];
    out.set(node.path, values);
  }
  return out;
}
