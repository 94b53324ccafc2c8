/**
 * Writes a NIR graph as a `.nir` file (HDF5) in the layout of Python's `nir.write`: a `version`
 * string and a group `node` holding the graph; parameters as float32 arrays, integers as int64,
 * names and types as UTF-8 strings, metadata as a group of datasets.
 */
import { hdf5Group, writeHdf5, type Hdf5Dataset, type Hdf5Group, type Hdf5Node } from './hdf5-write';
import type { NirArray, NirGraph, NirMetadata, NirNode } from './types';

/** The NIR format version the files say they follow. */
export const NIR_WRITE_VERSION = '1.0.6';

const text = (value: string): Hdf5Dataset => ({ kind: 'dataset', type: 'string', shape: [], data: [value] });
const floats = (a: NirArray): Hdf5Dataset => ({ kind: 'dataset', type: 'f32', shape: a.shape, data: a.data });
const ints = (values: number[], scalar = false): Hdf5Dataset => ({ kind: 'dataset', type: 'i64', shape: scalar ? [] : [values.length], data: values });

/** The bytes of a `.nir` file holding `graph`. */
export function writeNir(graph: NirGraph): Uint8Array {
  return writeHdf5(hdf5Group([
    ['version', text(NIR_WRITE_VERSION)],
    ['node', nodeGroup(graph)],
  ]));
}

function metadataGroup(metadata: NirMetadata): Hdf5Group {
  return hdf5Group(
    Object.entries(metadata).map(([key, value]): [string, Hdf5Node] => [
      key,
      typeof value === 'string' ? text(value) : typeof value === 'number' ? { kind: 'dataset', type: 'f32', shape: [], data: Float32Array.of(value) } : { kind: 'dataset', type: 'f32', shape: [value.length], data: Float32Array.from(value) },
    ]),
  );
}

function nodeGroup(node: NirNode): Hdf5Group {
  const entries: [string, Hdf5Node][] = [['type', text(node.type)]];
  const add = (key: string, value: Hdf5Node) => entries.push([key, value]);
  switch (node.type) {
    case 'Input':
    case 'Output':
      add('shape', ints(node.shape));
      break;
    case 'Affine':
      add('weight', floats(node.weight));
      add('bias', floats(node.bias));
      break;
    case 'Linear':
      add('weight', floats(node.weight));
      break;
    case 'Scale':
      add('scale', floats(node.scale));
      break;
    case 'Conv1d':
    case 'Conv2d':
      add('weight', floats(node.weight));
      add('bias', floats(node.bias));
      add('stride', ints(node.stride));
      add('padding', typeof node.padding === 'string' ? text(node.padding) : ints(node.padding));
      add('dilation', ints(node.dilation));
      add('groups', ints([node.groups], true));
      if (node.inputShape) add('input_shape', node.type === 'Conv1d' ? ints(node.inputShape, true) : ints(node.inputShape));
      break;
    case 'SumPool2d':
    case 'AvgPool2d':
      add('kernel_size', ints(node.kernelSize));
      add('stride', ints(node.stride));
      add('padding', ints(node.padding));
      break;
    case 'Flatten':
      add('start_dim', ints([node.startDim], true));
      add('end_dim', ints([node.endDim], true));
      if (node.inputShape) add('input_type', ints(node.inputShape));
      break;
    case 'Delay':
      add('delay', floats(node.delay));
      break;
    case 'Threshold':
      add('threshold', floats(node.threshold));
      break;
    case 'I':
      add('r', floats(node.r));
      break;
    case 'IF':
      add('r', floats(node.r));
      add('v_threshold', floats(node.vThreshold));
      add('v_reset', floats(node.vReset));
      break;
    case 'LI':
      add('tau', floats(node.tau));
      add('r', floats(node.r));
      add('v_leak', floats(node.vLeak));
      break;
    case 'LIF':
      add('tau', floats(node.tau));
      add('r', floats(node.r));
      add('v_leak', floats(node.vLeak));
      add('v_threshold', floats(node.vThreshold));
      add('v_reset', floats(node.vReset));
      break;
    case 'CubaLI':
      add('tau_syn', floats(node.tauSyn));
      add('tau_mem', floats(node.tauMem));
      add('r', floats(node.r));
      add('v_leak', floats(node.vLeak));
      add('w_in', floats(node.wIn));
      break;
    case 'CubaLIF':
      add('tau_syn', floats(node.tauSyn));
      add('tau_mem', floats(node.tauMem));
      add('r', floats(node.r));
      add('v_leak', floats(node.vLeak));
      add('v_threshold', floats(node.vThreshold));
      add('v_reset', floats(node.vReset));
      add('w_in', floats(node.wIn));
      break;
    case 'NIRGraph':
      add('nodes', hdf5Group([...node.nodes].map(([name, child]) => [name, nodeGroup(child)])));
      add('edges', { kind: 'dataset', type: 'string', shape: [node.edges.length, 2], data: node.edges.flat() });
      break;
  }
  if (node.metadata && Object.keys(node.metadata).length > 0) add('metadata', metadataGroup(node.metadata));
  return hdf5Group(entries);
}
