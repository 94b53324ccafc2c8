/**
 * Reads a `.nir` file (HDF5: a `version` string and a group `node` holding a NIRGraph) into typed
 * records (`types.ts`) with jsfive, a pure JavaScript HDF5 reader. Every failure is a
 * `NirFormatError` of one line that names the node path; every array's shape is checked against
 * the limits before its values are read.
 */
import * as hdf5 from 'jsfive';
import {
  NIR_NODE_TYPES,
  NirFormatError,
  type NirArray,
  type NirGraph,
  type NirMetadata,
  type NirNode,
  type NirNodeType,
} from './types';

/** The most elements one parameter array may have (64 MB of float32). */
export const MAX_NIR_ARRAY_ELEMENTS = 16_777_216;
/** The most nodes of a graph, nested graphs included. */
export const MAX_NIR_NODES = 4096;
/** The most edges of one graph. */
export const MAX_NIR_EDGES = 65_536;
/** The deepest nesting of graphs. */
export const MAX_NIR_DEPTH = 16;
/** The largest file read. */
export const MAX_NIR_FILE_BYTES = 512 * 1024 * 1024;

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** Keys every node may carry besides its parameters: shapes the writer inferred and metadata. */
const COMMON_KEYS = new Set(['type', 'metadata', 'input_type', 'output_type']);

/** A NIR file as read: the format version and the top-level graph. */
export interface NirFile {
  version: string;
  graph: NirGraph;
}

/** Reads a `.nir` file's bytes. `fileName` only names the file in messages. */
export function readNir(bytes: Uint8Array, fileName = 'the file'): NirFile {
  if (bytes.byteLength > MAX_NIR_FILE_BYTES) {
    throw new NirFormatError(`${fileName} is ${bytes.byteLength} bytes, above the ${MAX_NIR_FILE_BYTES}-byte limit for a NIR file`);
  }
  if (bytes.byteLength < 8 || HDF5_SIGNATURE.some((b, i) => bytes[i] !== b)) {
    throw new NirFormatError(`${fileName} is not a NIR file: it does not start with the HDF5 signature`);
  }
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let file: hdf5.File;
  try {
    file = new hdf5.File(buffer, fileName);
  } catch (error) {
    throw new NirFormatError(`${fileName} is not a readable HDF5 file (${describe(error)})`);
  }
  const reader = new Reader(fileName);
  return reader.guard('', () => {
    const keys = file.keys;
    if (!keys.includes('node')) throw new NirFormatError(`${fileName} has no group 'node': it is an HDF5 file but not a NIR graph`);
    const version = keys.includes('version') ? reader.string(file, 'version', '') : 'unknown';
    const root = reader.group(file, 'node', '');
    const graph = reader.node(root, '', 0);
    if (graph.type !== 'NIRGraph') throw new NirFormatError(`${fileName}: the top node is a ${graph.type}, not a NIRGraph`);
    return { version, graph };
  });
}

function describe(error: unknown): string {
  if (error instanceof RangeError) return 'the file is cut short or damaged';
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0].slice(0, 200);
}

class Reader {
  private nodeCount = 0;

  constructor(private readonly fileName: string) {}

  /** Runs `read`; anything but a NirFormatError becomes one, naming `path`. */
  guard<T>(path: string, read: () => T): T {
    try {
      return read();
    } catch (error) {
      if (error instanceof NirFormatError) throw error;
      throw new NirFormatError(`${this.fileName}: cannot read ${path === '' ? 'the graph' : `'${path}'`} (${describe(error)})`);
    }
  }

  group(parent: hdf5.Group, key: string, path: string): hdf5.Group {
    const item = parent.get(key);
    if (item instanceof hdf5.Dataset) throw new NirFormatError(`${this.fileName}: '${join(path, key)}' is a dataset where a group was expected`);
    return item;
  }

  dataset(parent: hdf5.Group, key: string, path: string): hdf5.Dataset {
    const item = parent.get(key);
    if (!(item instanceof hdf5.Dataset)) throw new NirFormatError(`${this.fileName}: '${join(path, key)}' is a group where a dataset was expected`);
    return item;
  }

  string(parent: hdf5.Group, key: string, path: string): string {
    const value = this.dataset(parent, key, path).value;
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first !== 'string') throw new NirFormatError(`${this.fileName}: '${join(path, key)}' is not a string`);
    return first.replace(/\0+$/, '');
  }

  /** A numeric dataset as float32, its size checked before its values are read. */
  array(parent: hdf5.Group, key: string, path: string): NirArray {
    const where = join(path, key);
    const dataset = this.dataset(parent, key, path);
    const shape = dataset.shape ?? [];
    const count = shape.reduce((a, b) => a * b, 1);
    if (!shape.every((d) => Number.isInteger(d) && d >= 0) || count > MAX_NIR_ARRAY_ELEMENTS) {
      throw new NirFormatError(`${this.fileName}: '${where}' has shape [${shape.join(', ')}], above the limit of ${MAX_NIR_ARRAY_ELEMENTS} elements`);
    }
    const dtype = dataset.dtype;
    if (typeof dtype !== 'string' || !/^[<>|=]?[fiub][1248]$/.test(dtype)) {
      throw new NirFormatError(`${this.fileName}: '${where}' holds ${typeof dtype === 'string' ? dtype : 'strings'}, not numbers`);
    }
    const value = dataset.value;
    const values = Array.isArray(value) || ArrayBuffer.isView(value) ? (value as ArrayLike<number | bigint | boolean>) : [value as number];
    if (values.length !== count) throw new NirFormatError(`${this.fileName}: '${where}' holds ${values.length} values for shape [${shape.join(', ')}]`);
    const data = new Float32Array(count);
    for (let i = 0; i < count; i++) {
      const x = Number(values[i]);
      if (!Number.isFinite(x)) throw new NirFormatError(`${this.fileName}: '${where}' holds a value that is not a finite number`);
      data[i] = x;
    }
    return { shape, data };
  }

  /** Whole numbers: a scalar, or one per dimension. */
  integers(parent: hdf5.Group, key: string, path: string, min: number): number[] {
    const { data } = this.array(parent, key, path);
    const values = Array.from(data);
    if (values.length === 0 || values.length > 8 || values.some((x) => !Number.isInteger(x) || x < min || x > 1_000_000)) {
      throw new NirFormatError(`${this.fileName}: '${join(path, key)}' must be whole numbers of at least ${min}, got [${values.join(', ')}]`);
    }
    return values;
  }

  node(group: hdf5.Group, path: string, depth: number): NirNode {
    return this.guard(path, () => {
      if (++this.nodeCount > MAX_NIR_NODES) throw new NirFormatError(`${this.fileName}: more than ${MAX_NIR_NODES} nodes`);
      const keys = new Set(group.keys);
      if (!keys.has('type')) throw new NirFormatError(`${this.fileName}: node '${path || '(top)'}' has no type`);
      const type = this.string(group, 'type', path);
      if (!(NIR_NODE_TYPES as readonly string[]).includes(type)) {
        throw new NirFormatError(`${this.fileName}: unsupported NIR node type '${type}' at '${path || '(top)'}'`);
      }
      const node = this.typed(type as NirNodeType, group, keys, path, depth);
      if (keys.has('metadata')) {
        const metadata = this.metadata(group, path);
        if (Object.keys(metadata).length > 0) node.metadata = metadata;
      }
      return node;
    });
  }

  private metadata(group: hdf5.Group, path: string): NirMetadata {
    const item = group.get('metadata');
    const out: NirMetadata = {};
    if (item instanceof hdf5.Dataset) return out;
    for (const key of item.keys.slice(0, 256)) {
      const value = item.get(key);
      if (!(value instanceof hdf5.Dataset)) continue;
      const count = (value.shape ?? []).reduce((a, b) => a * b, 1);
      if (count > 4096) continue;
      const v = value.value;
      const first = Array.isArray(v) ? v : [v];
      if (typeof first[0] === 'string') out[key] = String(first[0]).slice(0, 4096);
      else if (first.every((x) => typeof x === 'number' || typeof x === 'bigint')) out[key] = first.length === 1 && (value.shape ?? []).length === 0 ? Number(first[0]) : first.map(Number);
    }
    void path;
    return out;
  }

  private typed(type: NirNodeType, group: hdf5.Group, keys: Set<string>, path: string, depth: number): NirNode {
    const used = new Set(COMMON_KEYS);
    const arr = (key: string): NirArray => {
      used.add(key);
      if (!keys.has(key)) throw new NirFormatError(`${this.fileName}: ${type} node '${path}' lacks its parameter '${key}'`);
      return this.array(group, key, path);
    };
    const optional = (key: string, fallback: () => NirArray): NirArray => (keys.has(key) ? arr(key) : fallback());
    const ints = (key: string, min: number): number[] => {
      used.add(key);
      if (!keys.has(key)) throw new NirFormatError(`${this.fileName}: ${type} node '${path}' lacks its parameter '${key}'`);
      return this.integers(group, key, path, min);
    };
    const shapeOf = (key: string): number[] | undefined => {
      used.add(key);
      return keys.has(key) ? this.integers(group, key, path, 1) : undefined;
    };
    const zerosLike = (a: NirArray): NirArray => ({ shape: a.shape.slice(), data: new Float32Array(a.data.length) });
    const onesLike = (a: NirArray): NirArray => ({ shape: a.shape.slice(), data: new Float32Array(a.data.length).fill(1) });
    let node: NirNode;
    switch (type) {
      case 'Input':
      case 'Output':
      {
        const shape = shapeOf('shape') ?? [];
        if (shape.length === 0) throw new NirFormatError(`${this.fileName}: ${type} node '${path}' has no shape`);
        node = { type, shape };
        break;
      }
      case 'Affine':
        node = { type, weight: arr('weight'), bias: arr('bias') };
        break;
      case 'Linear':
        node = { type, weight: arr('weight') };
        break;
      case 'Scale':
        node = { type, scale: arr('scale') };
        break;
      case 'Conv1d':
      case 'Conv2d': {
        const dims = type === 'Conv1d' ? 1 : 2;
        const weight = arr('weight');
        const perDim = (values: number[], key: string): number[] => {
          if (values.length === 1) return Array(dims).fill(values[0]);
          if (values.length !== dims) throw new NirFormatError(`${this.fileName}: ${type} node '${path}' has ${values.length} values of '${key}' for ${dims} dimension(s)`);
          return values;
        };
        used.add('padding');
        let padding: number[] | 'same' | 'valid';
        const paddingItem = keys.has('padding') ? this.dataset(group, 'padding', path) : undefined;
        if (paddingItem && typeof paddingItem.dtype !== 'string') padding = this.paddingWord(group, path, type);
        else if (paddingItem && /S/.test(paddingItem.dtype as string)) padding = this.paddingWord(group, path, type);
        else padding = keys.has('padding') ? perDim(this.integers(group, 'padding', path, 0), 'padding') : Array(dims).fill(0);
        const inputShape = shapeOf('input_shape');
        node = {
          type,
          weight,
          bias: optional('bias', () => ({ shape: [weight.shape[0] ?? 0], data: new Float32Array(weight.shape[0] ?? 0) })),
          stride: perDim(ints('stride', 1), 'stride'),
          padding,
          dilation: keys.has('dilation') ? perDim(ints('dilation', 1), 'dilation') : Array(dims).fill(1),
          groups: keys.has('groups') ? ints('groups', 1)[0] : 1,
          inputShape: inputShape === undefined ? undefined : perDim(inputShape, 'input_shape'),
        };
        break;
      }
      case 'SumPool2d':
      case 'AvgPool2d': {
        const pair = (key: string, min: number, fallback?: number): [number, number] => {
          if (!keys.has(key) && fallback !== undefined) {
            used.add(key);
            return [fallback, fallback];
          }
          const v = ints(key, min);
          if (v.length === 1) return [v[0], v[0]];
          if (v.length !== 2) throw new NirFormatError(`${this.fileName}: ${type} node '${path}' needs two values of '${key}', got ${v.length}`);
          return [v[0], v[1]];
        };
        node = { type, kernelSize: pair('kernel_size', 1), stride: pair('stride', 1), padding: pair('padding', 0, 0) };
        break;
      }
      case 'Flatten': {
        used.add('start_dim');
        used.add('end_dim');
        const dim = (key: string, fallback: number): number => {
          if (!keys.has(key)) return fallback;
          const v = this.array(group, key, path).data;
          if (v.length !== 1 || !Number.isInteger(v[0]) || Math.abs(v[0]) > 64) throw new NirFormatError(`${this.fileName}: Flatten node '${path}' has an invalid '${key}'`);
          return v[0];
        };
        // Writers store the inferred input shape as `input_type` (a dataset, or a group holding `input`).
        let inputShape: number[] | undefined;
        if (keys.has('input_type')) {
          const item = group.get('input_type');
          if (item instanceof hdf5.Dataset) inputShape = this.integers(group, 'input_type', path, 1);
          else if (item.keys.includes('input')) inputShape = this.integers(item, 'input', join(path, 'input_type'), 1);
        }
        node = { type, startDim: dim('start_dim', 1), endDim: dim('end_dim', -1), inputShape };
        break;
      }
      case 'Delay':
        node = { type, delay: arr('delay') };
        if (node.delay.data.some((d) => d < 0)) throw new NirFormatError(`${this.fileName}: Delay node '${path}' has a negative delay`);
        break;
      case 'Threshold':
        node = { type, threshold: arr('threshold') };
        break;
      case 'I':
        node = { type, r: arr('r') };
        break;
      case 'IF': {
        const vThreshold = arr('v_threshold');
        node = { type, r: arr('r'), vThreshold, vReset: optional('v_reset', () => zerosLike(vThreshold)) };
        break;
      }
      case 'LI':
        node = { type, tau: arr('tau'), r: arr('r'), vLeak: arr('v_leak') };
        break;
      case 'LIF': {
        const vThreshold = arr('v_threshold');
        node = { type, tau: arr('tau'), r: arr('r'), vLeak: arr('v_leak'), vThreshold, vReset: optional('v_reset', () => zerosLike(vThreshold)) };
        break;
      }
      case 'CubaLI': {
        const vLeak = arr('v_leak');
        node = { type, tauSyn: arr('tau_syn'), tauMem: arr('tau_mem'), r: arr('r'), vLeak, wIn: optional('w_in', () => onesLike(vLeak)) };
        break;
      }
      case 'CubaLIF': {
        const vThreshold = arr('v_threshold');
        node = {
          type,
          tauSyn: arr('tau_syn'),
          tauMem: arr('tau_mem'),
          r: arr('r'),
          vLeak: arr('v_leak'),
          vThreshold,
          vReset: optional('v_reset', () => zerosLike(vThreshold)),
          wIn: optional('w_in', () => onesLike(vThreshold)),
        };
        break;
      }
      case 'NIRGraph':
        used.add('nodes');
        used.add('edges');
        node = this.graph(group, keys, path, depth);
        break;
    }
    for (const key of keys) {
      if (!used.has(key)) throw new NirFormatError(`${this.fileName}: unsupported parameter '${key}' of ${type} node '${path || '(top)'}'`);
    }
    return node;
  }

  private paddingWord(group: hdf5.Group, path: string, type: string): 'same' | 'valid' {
    const word = this.string(group, 'padding', path);
    if (word !== 'same' && word !== 'valid') throw new NirFormatError(`${this.fileName}: ${type} node '${path}' has padding '${word}' (expected numbers, 'same' or 'valid')`);
    return word;
  }

  private graph(group: hdf5.Group, keys: Set<string>, path: string, depth: number): NirGraph {
    if (depth >= MAX_NIR_DEPTH) throw new NirFormatError(`${this.fileName}: graphs nested more than ${MAX_NIR_DEPTH} deep at '${path}'`);
    if (!keys.has('nodes')) throw new NirFormatError(`${this.fileName}: graph '${path || '(top)'}' has no nodes`);
    const nodesGroup = this.group(group, 'nodes', path);
    const nodes = new Map<string, NirNode>();
    for (const name of nodesGroup.keys) {
      if (name.includes('/')) throw new NirFormatError(`${this.fileName}: node name '${name}' contains '/'`);
      nodes.set(name, this.node(this.group(nodesGroup, name, path), join(path, name), depth + 1));
    }
    const edges: [string, string][] = [];
    if (keys.has('edges')) {
      const dataset = this.dataset(group, 'edges', path);
      const shape = dataset.shape ?? [];
      const count = shape.reduce((a, b) => a * b, 1);
      if (count > 2 * MAX_NIR_EDGES) throw new NirFormatError(`${this.fileName}: graph '${path || '(top)'}' has more than ${MAX_NIR_EDGES} edges`);
      if (count > 0 && (shape.length !== 2 || shape[1] !== 2)) {
        throw new NirFormatError(`${this.fileName}: the edges of graph '${path || '(top)'}' have shape [${shape.join(', ')}], not [E, 2]`);
      }
      const value = count === 0 ? [] : dataset.value;
      const flat = Array.isArray(value) ? value : [];
      if (flat.length !== count || flat.some((s) => typeof s !== 'string')) {
        throw new NirFormatError(`${this.fileName}: the edges of graph '${path || '(top)'}' are not pairs of node names`);
      }
      for (let e = 0; e < count; e += 2) edges.push([clean(flat[e] as string), clean(flat[e + 1] as string)]);
    }
    return { type: 'NIRGraph', nodes, edges };
  }
}

function clean(name: string): string {
  return name.replace(/\0+$/, '');
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}
