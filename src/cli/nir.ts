/** `spikescope nir`: run NIR graphs from other simulators (architecture §10). */
import { readFile, writeFile } from 'node:fs/promises';
import { compileNir, NIR_RESETS, type NirProgram, type NirReset } from '../nir/compile';
import { float32Text, parseNirInputCsv } from '../nir/csv';
import { readNir, MAX_NIR_FILE_BYTES } from '../nir/read';
import { runNir, type NirBackendChoice } from '../nir/run';
import type { NirNodeTrace, NirTrace } from '../nir/reference';
import { NirFormatError } from '../nir/types';
import { nodeGpu } from '../gpu/node-gpu';
import { UsageError } from './errors';
import { integerFlag, parseFlags, commandLine } from './flags';
import { exportModel, MAX_EXPORT_LENGTH, nirInputForText } from '../nir/export';
import { writeNir } from '../nir/write';
import { loadModelDir, MODEL_WEIGHTS_FILE, saveModelDir } from '../model/node-io';
import { importNir } from '../nir/import';
import { readSafetensors, type TensorRecord } from '../model/safetensors';
import { basename, join } from 'node:path';

export const NIR_USAGE = `nir run --graph FILE.nir --input FILE.csv [--dt SECONDS (default 1e-4)] [--reset zero|subtract|subtract-delayed (default zero)]
           [--backend cpu|gpu|auto] [--json]
           simulate a NIR graph (from snnTorch, Norse, Sinabs, …) for one step per row of the CSV (no header,
           one column per element of the graph's input); prints spike counts and a raster, or with --json
           every neuron node's membrane potential and spikes after each step (snnTorch's files: --reset subtract-delayed)
  nir export --model DIR --out FILE.nir [--length N]
           write an IF/LIF/PLIF model as a NIR graph (a TextCNN at a fixed length of N tokens; LITE-SNN along the words)
  nir encode --model DIR [--length N] [--steps T] [--seed N] [--out FILE.csv] TEXT
           the exported graph's input for TEXT, as the model encodes it (a CSV for nir run and other tools)
  nir import FILE.nir --out DIR --embedding-from MODEL_DIR [--steps-per-word T] [--classes a,b] [--dt S] [--reset zero|subtract] [--name TEXT]
           a graph Input → (Linear → LIF)+ → Linear as a text classifier over the words, with MODEL_DIR's words`;

/** `spikescope nir <subcommand>`. */
export async function runNirCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'run') return runNirRun(rest);
  if (sub === 'export') return runNirExport(rest);
  if (sub === 'encode') return runNirEncode(rest);
  if (sub === 'import') return runNirImport(rest);
  if (sub === undefined) throw new UsageError('nir needs a subcommand: run, export, encode or import');
  throw new UsageError(`unknown nir subcommand '${sub}' (expected run, export, encode or import)`);
}

async function readBytes(path: string, what: string, limit: number): Promise<Uint8Array> {
  try {
    const bytes = await readFile(path);
    if (bytes.byteLength > limit) throw new NirFormatError(`${path} is ${bytes.byteLength} bytes, above the ${limit}-byte limit for ${what}`);
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  } catch (error) {
    if (error instanceof NirFormatError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${what} ${path}${code === 'ENOENT' ? ': no such file' : code === 'EISDIR' ? ': it is a folder' : ''}`);
  }
}

async function runNirRun(argv: string[]): Promise<number> {
  const { values: v } = parseFlags(argv, {
    graph: { type: 'string' },
    input: { type: 'string' },
    dt: { type: 'string' },
    reset: { type: 'string' },
    backend: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (!v.graph) throw new UsageError('nir run needs --graph FILE.nir');
  if (!v.input) throw new UsageError('nir run needs --input FILE.csv, one row of input per time step');
  const dt = v.dt === undefined ? 1e-4 : Number(v.dt);
  if (!(dt > 0) || !Number.isFinite(dt) || dt > 1e3) throw new UsageError(`--dt must be a positive number of seconds, got '${v.dt}'`);
  const reset = (v.reset ?? 'zero') as NirReset;
  if (!NIR_RESETS.includes(reset)) throw new UsageError(`--reset must be ${NIR_RESETS.join(', ')}, got '${v.reset}'`);
  const backend = (v.backend ?? 'auto') as NirBackendChoice;
  if (!['cpu', 'gpu', 'auto'].includes(backend)) throw new UsageError(`--backend must be cpu, gpu or auto, got '${v.backend}'`);

  const file = readNir(await readBytes(v.graph, 'the graph', MAX_NIR_FILE_BYTES), v.graph);
  const program = compileNir(file.graph, { dt, reset });
  for (const warning of program.warnings) console.error(`spikescope: warning: ${warning}`);
  const columns = program.nodes[program.input].size;
  const csv = new TextDecoder().decode(await readBytes(v.input, 'the input', 1024 * 1024 * 1024));
  const { steps, values } = parseNirInputCsv(csv, columns, v.input);
  const { trace, backend: used } = await runNir(program, values, steps, { backend, gpu: nodeGpu });
  if (v.json) await writeJson(trace, program, used);
  else printSummary(trace, program, used, file.version);
  return 0;
}

async function exportFor(argv: string[], extra: Parameters<typeof parseFlags>[1], positionals: boolean) {
  const parsed = parseFlags(argv, { model: { type: 'string' }, length: { type: 'string' }, ...extra }, positionals);
  const v = parsed.values as Record<string, string | undefined>;
  if (!v.model) throw new UsageError('needs --model DIR, the model folder');
  const length = v.length === undefined ? undefined : integerFlag('length', v.length, 0, 1, MAX_EXPORT_LENGTH);
  const model = await loadModelDir(v.model);
  return { model, exported: exportModel(model, { length }), values: v, positionals: parsed.positionals };
}

async function runNirExport(argv: string[]): Promise<number> {
  const { model, exported, values } = await exportFor(argv, { out: { type: 'string' } }, false);
  if (!values.out) throw new UsageError('nir export needs --out FILE.nir');
  const bytes = writeNir(exported.graph);
  await writeFile(values.out, bytes);
  const neurons = [...exported.graph.nodes.values()].filter((n) => n.type === 'IF' || n.type === 'LIF').length;
  console.log(`wrote ${values.out} (${bytes.byteLength} bytes): ${model.config.name} as ${exported.graph.nodes.size} NIR nodes (${neurons} neuron layers), ${exported.layout === 'words' ? `along the words, ${model.config.numSteps} steps per word` : `over ${exported.length} positions`}`);
  console.log(`input: ${exported.channels} values per ${exported.layout === 'words' ? 'step' : `position and step ([${exported.channels}, ${exported.length}] per step)`}${exported.pulse ? ', the last channel 1 at step 0 only (it sets the initial potentials)' : ''}; run it with --dt ${exported.dt} --reset ${exported.reset}`);
  console.log(`readout: ${exported.readout}`);
  return 0;
}

async function runNirEncode(argv: string[]): Promise<number> {
  const { model, exported, values, positionals } = await exportFor(argv, { steps: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' } }, true);
  const text = positionals.join(' ');
  if (text.trim() === '') throw new UsageError('nir encode needs the TEXT to encode');
  const steps = values.steps === undefined ? undefined : integerFlag('steps', values.steps, 0, 1, 1000);
  const seed = values.seed === undefined ? undefined : integerFlag('seed', values.seed, 0, 0, 0xffffffff);
  const input = nirInputForText(model, exported, text, { steps, seed });
  if (exported.layout === 'positions' && Math.max(input.textTokens, model.spec.encoder.minLength) !== exported.length) {
    console.error(`spikescope: note: the text has ${input.textTokens} tokens; the graph equals Spikescope for texts of ${exported.length} (its average over positions counts all ${exported.length}): for this text use --length ${Math.max(input.textTokens, model.spec.encoder.minLength)}`);
  }
  const width = input.values.length / input.steps;
  const lines: string[] = [];
  for (let t = 0; t < input.steps; t++) lines.push(Array.from(input.values.subarray(t * width, (t + 1) * width), float32Text).join(','));
  const csv = `${lines.join('\n')}\n`;
  if (values.out) {
    await writeFile(values.out, csv);
    console.error(`wrote ${values.out}: ${input.steps} steps × ${width} values (${input.tokens} tokens)`);
  } else await write(csv);
  return 0;
}

async function runNirImport(argv: string[]): Promise<number> {
  const { values: v, positionals } = parseFlags(
    argv,
    { out: { type: 'string' }, 'embedding-from': { type: 'string' }, 'steps-per-word': { type: 'string' }, classes: { type: 'string' }, dt: { type: 'string' }, reset: { type: 'string' }, name: { type: 'string' } },
    true,
  );
  if (positionals.length !== 1) throw new UsageError('nir import needs one FILE.nir');
  if (!v.out) throw new UsageError('nir import needs --out DIR, the model folder to write');
  if (!v['embedding-from']) throw new UsageError("nir import needs --embedding-from MODEL_DIR: a model folder whose vocabulary and word vectors feed the graph's input");
  const file = positionals[0];
  const dt = v.dt === undefined ? undefined : Number(v.dt);
  if (dt !== undefined && (!(dt > 0) || !Number.isFinite(dt))) throw new UsageError(`--dt must be a positive number of seconds, got '${v.dt}'`);
  const read = readNir(await readBytes(file, 'the graph', MAX_NIR_FILE_BYTES), file);
  const metadata = read.graph.metadata ?? {};
  const reset = (v.reset ?? (typeof metadata['spikescope.reset'] === 'string' ? metadata['spikescope.reset'] : 'zero')) as NirReset;
  if (!NIR_RESETS.includes(reset)) throw new UsageError(`--reset must be ${NIR_RESETS.join(', ')}, got '${v.reset}'`);
  const embedding = await loadModelDir(v['embedding-from']);
  const imported = importNir(read.graph, {
    embedding,
    dt: dt ?? (typeof metadata['spikescope.dt'] === 'number' ? metadata['spikescope.dt'] : 1e-4),
    reset,
    numSteps: v['steps-per-word'] === undefined ? undefined : integerFlag('steps-per-word', v['steps-per-word'], 4, 1, 64),
    classes: v.classes?.split(',').map((c) => c.trim()),
    name: v.name,
    fileName: basename(file),
  });
  imported.config.provenance.command = commandLine('nir import', argv);
  const stored = readSafetensors(new Uint8Array(await readFile(join(v['embedding-from'], MODEL_WEIGHTS_FILE))), MODEL_WEIGHTS_FILE);
  const weights = new Map<string, Float32Array | TensorRecord>(imported.weights);
  weights.set(embedding.config.embedding.tensor, stored.get(embedding.config.embedding.tensor)!);
  await saveModelDir(v.out, imported.config, weights);
  const layers = imported.config.network.layers;
  console.log(`wrote ${v.out}: ${layers.filter((l) => l.kind === 'sequence-neuron').length} neuron layer(s) over the words, ${imported.config.numSteps} steps per word, classes ${imported.config.network.readout.classes.join(', ')}; try: spikescope classify --model ${v.out} "TEXT"`);
  return 0;
}

/** Writes `text` to stdout, waiting when the pipe is full. */
function write(text: string): Promise<void> {
  return new Promise((resolve) => {
    if (process.stdout.write(text)) resolve();
    else process.stdout.once('drain', resolve);
  });
}

function rows(values: Float32Array, steps: number, size: number, spikes: boolean): string {
  const out: string[] = [];
  for (let t = 0; t < steps; t++) {
    const row = values.subarray(t * size, (t + 1) * size);
    out.push(`[${Array.from(row, spikes ? (x) => (x > 0 ? '1' : '0') : float32Text).join(',')}]`);
  }
  return `[${out.join(',')}]`;
}

async function writeJson(trace: NirTrace, program: NirProgram, backend: string): Promise<void> {
  await write(`{"dt":${trace.dt},"steps":${trace.steps},"reset":${JSON.stringify(trace.reset)},"backend":${JSON.stringify(backend)},"nodes":{`);
  const neurons = trace.nodes.filter((n) => n.v);
  for (let k = 0; k < neurons.length; k++) {
    const n = neurons[k];
    const shape = program.nodes.find((p) => p.path === n.path)!.shape;
    let text = `${k > 0 ? ',' : ''}${JSON.stringify(n.path)}:{"type":${JSON.stringify(n.type)},"shape":${JSON.stringify(shape)},"v":${rows(n.v!, trace.steps, n.size, false)}`;
    if (n.spikes) text += `,"spikes":${rows(n.spikes, trace.steps, n.size, true)}`;
    if (n.current) text += `,"current":${rows(n.current, trace.steps, n.size, false)}`;
    await write(`${text}}`);
  }
  await write('},"outputs":{');
  const outputs = trace.nodes.filter((n) => n.output);
  for (let k = 0; k < outputs.length; k++) {
    await write(`${k > 0 ? ',' : ''}${JSON.stringify(outputs[k].path)}:${rows(outputs[k].output!, trace.steps, outputs[k].size, false)}`);
  }
  await write('}}\n');
}

const RESET_WORDS: Record<NirReset, string> = { zero: 'to v_reset', subtract: 'by subtraction', 'subtract-delayed': 'by subtraction at the next step' };

const RASTER_COLUMNS = 64;
const RASTER_ROWS = 12;

/** A small raster: one row per neuron (the first RASTER_ROWS), one column per step or bin of steps. */
function raster(n: NirNodeTrace, steps: number): string[] {
  const bins = Math.min(steps, RASTER_COLUMNS);
  const lines: string[] = [];
  const shown = Math.min(n.size, RASTER_ROWS);
  for (let i = 0; i < shown; i++) {
    let line = '';
    for (let b = 0; b < bins; b++) {
      const from = Math.floor((b * steps) / bins);
      const to = Math.floor(((b + 1) * steps) / bins);
      let count = 0;
      for (let t = from; t < to; t++) count += n.spikes![t * n.size + i];
      line += count === 0 ? '·' : count === 1 ? '|' : '#';
    }
    lines.push(`    ${String(i).padStart(4)} ${line}`);
  }
  if (n.size > shown) lines.push(`    … ${n.size - shown} more neurons`);
  return lines;
}

function printSummary(trace: NirTrace, program: NirProgram, backend: string, version: string): void {
  const { steps } = trace;
  console.log(`NIR ${version} graph: ${program.nodes.length} nodes, ${steps} steps of dt = ${trace.dt} s (${(steps * trace.dt).toPrecision(3)} s), reset ${RESET_WORDS[trace.reset]}, ${backend}`);
  for (const n of trace.nodes) {
    const node = program.nodes.find((p) => p.path === n.path)!;
    const shape = `[${node.shape.join('×')}]`;
    if (n.spikes) {
      let total = 0;
      for (const s of n.spikes) total += s;
      const rate = total / (steps * n.size);
      console.log(`  ${n.path} (${n.type} ${shape}): ${total} spikes, ${(rate * 100).toFixed(2)} % of neuron-steps`);
      if (steps > RASTER_COLUMNS) console.log(`    (one column per ${(steps / RASTER_COLUMNS).toFixed(1)} steps: · none, | one spike, # more)`);
      for (const line of raster(n, steps)) console.log(line);
    } else if (n.v) {
      let lo = Infinity;
      let hi = -Infinity;
      for (const x of n.v) {
        lo = Math.min(lo, x);
        hi = Math.max(hi, x);
      }
      console.log(`  ${n.path} (${n.type} ${shape}): v from ${float32Text(lo)} to ${float32Text(hi)}`);
    } else if (n.output) {
      const last = n.output.subarray((steps - 1) * n.size, steps * n.size);
      const shown = Array.from(last.subarray(0, 16), float32Text).join(', ');
      console.log(`  ${n.path} (Output ${shape}) at the last step: [${shown}${n.size > 16 ? ', …' : ''}]`);
    }
  }
}
