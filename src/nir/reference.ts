/**
 * The CPU reference of a NIR program (`compile.ts`): plain loops in float32, one step at a time.
 * The GPU executor (`gpu.ts`) is tested against it.
 */
import { NEURON_PARAMS, nodeInputLength, type ConvGeometry, type NirReset, type NirProgram, type NirProgramNode } from './compile';
import { NirFormatError } from './types';

/** The most values a run may record (steps × recorded elements). */
export const MAX_NIR_TRACE_VALUES = 64 * 1024 * 1024;

/** What one node did over a run, `[steps][size]` row-major. */
export interface NirNodeTrace {
  path: string;
  type: string;
  size: number;
  /** Membrane potential after each step (after the reset), for neuron nodes. */
  v?: Float32Array;
  /** Spikes (0/1) of each step, for spiking neurons. */
  spikes?: Float32Array;
  /** Synaptic current after each step, for CubaLI and CubaLIF. */
  current?: Float32Array;
  /** The node's output of each step, for the graph's Output nodes. */
  output?: Float32Array;
}

export interface NirTrace {
  dt: number;
  steps: number;
  reset: NirProgram['reset'];
  nodes: NirNodeTrace[];
}

/** The traces a run records: every neuron node, and the graph's outputs. Checks their size. */
export function traceLayout(program: NirProgram, steps: number): NirNodeTrace[] {
  const traces: NirNodeTrace[] = [];
  let values = 0;
  program.nodes.forEach((node, k) => {
    const isOutput = program.outputs.includes(k);
    if (node.op.kind !== 'neuron' && !isOutput) return;
    const per = node.op.kind === 'neuron' ? 1 + (node.op.spiking ? 1 : 0) + (node.op.synaptic ? 1 : 0) : 1;
    values += steps * node.size * per;
    traces.push({ path: node.path, type: node.type, size: node.size });
  });
  if (values > MAX_NIR_TRACE_VALUES) {
    throw new NirFormatError(`recording ${steps} steps of this graph takes ${values} values, above the limit of ${MAX_NIR_TRACE_VALUES}; run fewer steps`);
  }
  for (const t of traces) {
    const node = program.nodes.find((n) => n.path === t.path)!;
    const n = steps * t.size;
    if (node.op.kind === 'neuron') {
      t.v = new Float32Array(n);
      if (node.op.spiking) t.spikes = new Float32Array(n);
      if (node.op.synaptic) t.current = new Float32Array(n);
    } else t.output = new Float32Array(n);
  }
  return traces;
}

/** Checks that `input` holds `steps` rows of the graph's input size. */
export function checkNirInput(program: NirProgram, input: Float32Array, steps: number): void {
  const size = program.nodes[program.input].size;
  if (input.length !== steps * size) throw new NirFormatError(`the input holds ${input.length} values, not ${steps} steps × ${size}`);
}

/** Runs `program` for `steps` steps on `input` (`[steps][input size]`). */
export function runNirReference(program: NirProgram, input: Float32Array, steps: number): NirTrace {
  checkNirInput(program, input, steps);
  const traces = traceLayout(program, steps);
  const nodes = program.nodes;
  const current = nodes.map((n) => new Float32Array(n.size));
  const previous = initialValues(program);
  const state = nodes.map((n) => initialState(n));
  const summed = nodes.map((n) => new Float32Array(nodeInputLength(n)));
  const traceOf = new Map(traces.map((t) => [t.path, t]));
  for (let t = 0; t < steps; t++) {
    for (let k = 0; k < nodes.length; k++) {
      const node = nodes[k];
      const x = gather(node, current, previous, summed[k]);
      const out = current[k];
      const op = node.op;
      switch (op.kind) {
        case 'input':
          out.set(input.subarray(t * node.size, (t + 1) * node.size));
          break;
        case 'identity':
        case 'affine':
        case 'scale':
        case 'threshold':
        case 'conv':
          applyStateless(node, x, out);
          break;
        case 'delay': {
          const ring = state[k].ring!;
          const slot = t % op.depth;
          for (let i = 0; i < node.size; i++) {
            ring[i * op.depth + slot] = x[i];
            const d = op.steps[i];
            out[i] = t >= d ? ring[i * op.depth + ((t - d) % op.depth)] : 0;
          }
          break;
        }
        case 'neuron': {
          const s = state[k];
          neuronStep(op.params, op.spiking, op.synaptic, program.reset, x, s.v!, s.i!, out);
          const trace = traceOf.get(node.path)!;
          const o = t * node.size;
          trace.v!.set(s.v!, o);
          if (trace.spikes) trace.spikes.set(out, o);
          if (trace.current) trace.current.set(s.i!, o);
          break;
        }
      }
      const trace = traceOf.get(node.path);
      if (trace?.output) trace.output.set(out, t * node.size);
    }
    // The values of this step become the previous step's for the recurrent edges of the next.
    for (let k = 0; k < nodes.length; k++) previous[k].set(current[k]);
  }
  return { dt: program.dt, steps, reset: program.reset, nodes: traces };
}

/**
 * The values recurrent edges read at step 0: those of a step before the first, in which the input
 * is 0 and every neuron and delay outputs 0 — so an Affine on a recurrent edge gives its bias, as
 * it does in snnTorch's RLeaky and RSynaptic, whose first step adds W·0 + b.
 */
export function initialValues(program: NirProgram): Float32Array[] {
  const nodes = program.nodes;
  const values = nodes.map((n) => new Float32Array(n.size));
  const zeros = nodes.map((n) => new Float32Array(n.size));
  for (let k = 0; k < nodes.length; k++) {
    const node = nodes[k];
    const x = gather(node, values, zeros, new Float32Array(nodeInputLength(node)));
    applyStateless(node, x, values[k]);
  }
  return values;
}

/** The output of a node without state (identity, affine, scale, threshold, conv) for input `x`; others are left alone. */
function applyStateless(node: NirProgramNode, x: Float32Array, out: Float32Array): void {
  const op = node.op;
  if (op.kind === 'identity') out.set(x.subarray(0, node.size));
  else if (op.kind === 'affine') affine(op.weight, op.bias, op.rows, op.cols, x, out);
  else if (op.kind === 'scale') for (let i = 0; i < node.size; i++) out[i] = Math.fround(x[i] * op.scale[i]);
  else if (op.kind === 'threshold') for (let i = 0; i < node.size; i++) out[i] = x[i] > op.threshold[i] ? 1 : 0;
  else if (op.kind === 'conv') conv(op, op.weight, op.bias, x, out);
}

function initialState(node: NirProgramNode): { v?: Float32Array; i?: Float32Array; ring?: Float32Array } {
  if (node.op.kind === 'neuron') return { v: new Float32Array(node.size), i: new Float32Array(node.op.synaptic ? node.size : 0) };
  if (node.op.kind === 'delay') return { ring: new Float32Array(node.size * node.op.depth) };
  return {};
}

/** The node's input: the sum of its edges' values (float32, in edge order). */
function gather(node: NirProgramNode, current: Float32Array[], previous: Float32Array[], into: Float32Array): Float32Array {
  into.fill(0);
  node.inputs.forEach((edge, e) => {
    const source = (edge.previous ? previous : current)[edge.source];
    if (e === 0) into.set(source.subarray(0, into.length));
    else for (let i = 0; i < into.length; i++) into[i] = Math.fround(into[i] + source[i]);
  });
  return into;
}

/** y = W·x (+ b), summed in float32 in column order. */
export function affine(weight: Float32Array, bias: Float32Array | null, rows: number, cols: number, x: Float32Array, y: Float32Array): void {
  for (let r = 0; r < rows; r++) {
    let acc = 0;
    const o = r * cols;
    for (let c = 0; c < cols; c++) acc = Math.fround(acc + Math.fround(weight[o + c] * x[c]));
    y[r] = bias ? Math.fround(acc + bias[r]) : acc;
  }
}

/** Grouped, strided, dilated, zero-padded 2-D convolution (a Conv1d has inH = kernelH = 1). */
export function conv(g: ConvGeometry, weight: Float32Array, bias: Float32Array, x: Float32Array, y: Float32Array): void {
  const outPerGroup = g.outChannels / g.groups;
  const inPerGroup = g.inChannels / g.groups;
  for (let oc = 0; oc < g.outChannels; oc++) {
    const group = Math.floor(oc / outPerGroup);
    for (let oy = 0; oy < g.outH; oy++) {
      for (let ox = 0; ox < g.outW; ox++) {
        let acc = 0;
        for (let ic = 0; ic < inPerGroup; ic++) {
          const channel = group * inPerGroup + ic;
          for (let ky = 0; ky < g.kernelH; ky++) {
            const iy = oy * g.strideH - g.padH + ky * g.dilationH;
            if (iy < 0 || iy >= g.inH) continue;
            for (let kx = 0; kx < g.kernelW; kx++) {
              const ix = ox * g.strideW - g.padW + kx * g.dilationW;
              if (ix < 0 || ix >= g.inW) continue;
              const w = weight[((oc * inPerGroup + ic) * g.kernelH + ky) * g.kernelW + kx];
              acc = Math.fround(acc + Math.fround(w * x[(channel * g.inH + iy) * g.inW + ix]));
            }
          }
        }
        y[(oc * g.outH + oy) * g.outW + ox] = Math.fround(acc + bias[oc]);
      }
    }
  }
}

/** One step of a neuron layer (see `NeuronOp`): updates v (and i) in place, writes the output. */
export function neuronStep(
  params: Float32Array,
  spiking: boolean,
  synaptic: boolean,
  reset: NirReset,
  x: Float32Array,
  v: Float32Array,
  current: Float32Array,
  out: Float32Array,
): void {
  const f = Math.fround;
  for (let n = 0; n < v.length; n++) {
    const o = n * NEURON_PARAMS;
    let drive = x[n];
    if (synaptic) {
      drive = f(f(params[o + 5] * current[n]) + f(params[o + 6] * x[n]));
      current[n] = drive;
    }
    let u = f(f(f(params[o] * v[n]) + f(params[o + 1] * drive)) + params[o + 2]);
    if (spiking) {
      if (reset === 'subtract-delayed' && v[n] > params[o + 3]) u = f(u - params[o + 3]);
      const spike = u > params[o + 3];
      if (spike && reset !== 'subtract-delayed') u = reset === 'subtract' ? f(u - params[o + 3]) : params[o + 4];
      out[n] = spike ? 1 : 0;
    } else out[n] = u;
    v[n] = u;
  }
}
