/**
 * The safetensors container (https://github.com/huggingface/safetensors), read and written in
 * pure TypeScript: an 8-byte little-endian header length N, N bytes of JSON
 * `{ name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__"?: { key: string } }`,
 * then the data region, to which the offsets are relative. Little-endian, row-major.
 *
 * Only the dtypes a Spikescope model uses are supported: F32, F16 (decoded to float32 on read,
 * encoded from float32 on write), and I8 / U8 (raw integers; a quantised embedding's scale and
 * zero point live in `model.json`).
 */

import { clip, MAX_MESSAGE_CHARACTERS, oneLine, quoteName, show } from './describe-value';

/**
 * Any problem with a model's files; the message names the file, the place and what to do. It is
 * always one line (line breaks in names or values are escaped) of bounded length.
 */
export class ModelFormatError extends Error {
  override name = 'ModelFormatError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(clip(oneLine(message), MAX_MESSAGE_CHARACTERS), options);
  }
}

/** Element types stored in a Spikescope weight file. */
export type SafetensorsDtype = 'F32' | 'F16' | 'I8' | 'U8';

/** One tensor: F32 and F16 as float32 values, I8 / U8 as their raw integers. */
export interface TensorRecord {
  dtype: SafetensorsDtype;
  shape: number[];
  data: Float32Array | Int8Array | Uint8Array;
}

const DTYPE_BYTES: Record<SafetensorsDtype, number> = { F32: 4, F16: 2, I8: 1, U8: 1 };

/** Bytes per element of a dtype, or undefined when Spikescope does not support it. */
export function dtypeBytes(dtype: string): number | undefined {
  return Object.hasOwn(DTYPE_BYTES, dtype) ? DTYPE_BYTES[dtype as SafetensorsDtype] : undefined;
}

/** Number of elements of a shape (1 for a scalar `[]`). */
export function shapeSize(shape: readonly number[]): number {
  return shape.reduce((product, extent) => product * extent, 1);
}

/** IEEE half → float32 value (exact: every half is representable in float32). */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** float → IEEE half bits, rounding to nearest even; overflow gives ±Infinity. */
export function floatToHalf(value: number): number {
  const f32 = new Float32Array([value]);
  const bits = new Uint32Array(f32.buffer)[0];
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  let mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  if (halfExponent <= 0) {
    if (halfExponent < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - halfExponent;
    let half = mantissa >>> shift;
    const remainder = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (remainder > halfway || (remainder === halfway && half & 1)) half++;
    return sign | half;
  }
  let half = (halfExponent << 10) | (mantissa >>> 13);
  const remainder = mantissa & 0x1fff;
  if (remainder > 0x1000 || (remainder === 0x1000 && half & 1)) half++;
  return sign | half;
}

function fail(file: string, where: string, problem: string): never {
  throw new ModelFormatError(`${file}: ${where}: ${problem}`);
}

/** A value from the header, shortened for a message. */
function brief(value: unknown): string {
  return show(value, 60);
}

function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Most bytes of a header's JSON (the header of a real model is a few kilobytes). */
export const MAX_HEADER_BYTES = 16 * 1024 * 1024;
/** Most tensors in one file (a model has a handful per layer). */
export const MAX_TENSORS = 16384;
/** Most dimensions of one tensor's shape. */
export const MAX_RANK = 16;

/** Where one tensor's bytes are, validated against the file (offsets relative to the data region). */
export interface TensorEntry {
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

/** A validated header: every tensor's entry by name, and where the data region starts in the file. */
export interface SafetensorsIndex {
  entries: Map<string, TensorEntry>;
  dataStart: number;
  dataLength: number;
}

/**
 * Reads and validates the whole header of a safetensors file without touching the data: header
 * length within the file and at most MAX_HEADER_BYTES, a UTF-8 JSON object with unique names and
 * at most MAX_TENSORS tensors, supported dtypes, integer shapes, offsets inside the data region and
 * not overlapping, byte size = product(shape) × dtype size. `file` names the file in errors.
 */
export function readSafetensorsIndex(bytes: Uint8Array, file = 'weights.safetensors'): SafetensorsIndex {
  const { header, headerLength } = readHeader(bytes, file);
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const entries = new Map<string, TensorEntry>();
  for (const name of Object.keys(header)) {
    const entry = header[name];
    if (name === '__metadata__') {
      checkMetadata(file, entry);
      continue;
    }
    const where = `tensor ${quoteName(name)}`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) fail(file, where, 'must be an object {dtype, shape, data_offsets}');
    const { dtype, shape, data_offsets: offsets } = entry as Record<string, unknown>;
    const elementBytes = typeof dtype === 'string' ? dtypeBytes(dtype) : undefined;
    if (elementBytes === undefined) fail(file, where, `dtype ${brief(dtype)} is not supported; store F32, F16, I8 or U8`);
    if (!Array.isArray(shape) || shape.length > MAX_RANK || !shape.every(isNonNegativeInteger)) {
      fail(file, where, `shape must be an array of non-negative integers (at most ${MAX_RANK}), got ${brief(shape)}`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegativeInteger) || offsets[0] > offsets[1]) {
      fail(file, where, `data_offsets must be [begin, end] with 0 <= begin <= end, got ${brief(offsets)}`);
    }
    const [begin, end] = offsets as number[];
    if (end > dataLength) fail(file, where, `data_offsets [${begin}, ${end}] run past the ${dataLength}-byte data region; the file is truncated`);
    const needed = shapeSize(shape) * elementBytes;
    if (end - begin !== needed) {
      fail(file, where, `data_offsets [${begin}, ${end}] hold ${end - begin} bytes but ${dtype} [${shape.join(', ')}] needs ${needed}`);
    }
    entries.set(name, { dtype: dtype as SafetensorsDtype, shape: [...shape], begin, end });
  }
  checkOverlaps(file, entries);
  return { entries, dataStart, dataLength };
}

/** No two tensors with data share a byte (empty tensors may sit anywhere). */
function checkOverlaps(file: string, entries: Map<string, TensorEntry>): void {
  const ranges = [...entries].filter(([, entry]) => entry.end > entry.begin).sort(([, a], [, b]) => a.begin - b.begin || a.end - b.end);
  for (let i = 1; i < ranges.length; i++) {
    const [previousName, previous] = ranges[i - 1];
    const [name, current] = ranges[i];
    if (current.begin < previous.end) {
      fail(file, `tensor ${quoteName(name)}`, `its data [${current.begin}, ${current.end}] overlaps tensor ${quoteName(previousName)} [${previous.begin}, ${previous.end}]`);
    }
  }
}

/**
 * Reads the tensors of a safetensors file: the whole header is validated first
 * (`readSafetensorsIndex`), then only the tensors named in `only` (all when it is not given) are
 * decoded. The data is copied out (little-endian decode), so the result does not alias `bytes`.
 */
export function readSafetensors(bytes: Uint8Array, file = 'weights.safetensors', only?: ReadonlySet<string>): Map<string, TensorRecord> {
  return decodeTensors(bytes, readSafetensorsIndex(bytes, file), file, only);
}

/** Decodes the tensors of a validated index (those named in `only`, or all) from the file's bytes. */
export function decodeTensors(bytes: Uint8Array, index: SafetensorsIndex, file = 'weights.safetensors', only?: ReadonlySet<string>): Map<string, TensorRecord> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tensors = new Map<string, TensorRecord>();
  // The ranges do not overlap and lie inside the data region, so what is copied never exceeds the file.
  let stored = 0;
  for (const [name, entry] of index.entries) {
    if (only && !only.has(name)) continue;
    stored += entry.end - entry.begin;
    if (stored > index.dataLength || index.dataStart + entry.end > bytes.length) {
      fail(file, `tensor ${quoteName(name)}`, `the tensors hold more bytes than the ${index.dataLength}-byte data region`);
    }
    tensors.set(name, { dtype: entry.dtype, shape: [...entry.shape], data: decode(view, index.dataStart + entry.begin, entry.dtype, shapeSize(entry.shape)) });
  }
  return tensors;
}

/** The `__metadata__` of a safetensors file (string to string), or an empty object; reads only the header. */
export function readSafetensorsMetadata(bytes: Uint8Array, file = 'weights.safetensors'): Record<string, string> {
  const metadata = readHeader(bytes, file).header.__metadata__;
  if (metadata === undefined) return {};
  checkMetadata(file, metadata);
  return { ...(metadata as Record<string, string>) };
}

function readHeader(bytes: Uint8Array, file: string): { header: Record<string, unknown>; headerLength: number } {
  if (bytes.length < 8) fail(file, 'header', `the file has ${bytes.length} bytes, fewer than the 8-byte header length; the file is truncated or not safetensors`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  if (headerLength > bytes.length - 8) {
    fail(file, 'header', `header length ${headerLength} runs past the end of the ${bytes.length}-byte file; the file is truncated or not safetensors`);
  }
  if (headerLength > MAX_HEADER_BYTES) fail(file, 'header', `header length ${headerLength} is over the ${MAX_HEADER_BYTES}-byte limit; this is not a Spikescope weight file`);
  let text: string;
  let header: unknown;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength));
    header = JSON.parse(text);
  } catch (error) {
    fail(file, 'header', `is not valid UTF-8 JSON (${clip(oneLine((error as Error).message), 120)}); re-export the weights`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail(file, 'header', 'must be a JSON object of tensors');
  const names = Object.keys(header);
  const tensorCount = names.length - (Object.hasOwn(header, '__metadata__') ? 1 : 0);
  if (tensorCount > MAX_TENSORS) fail(file, 'header', `lists ${tensorCount} tensors, more than the ${MAX_TENSORS} a model may hold; this is not a Spikescope weight file`);
  const repeated = repeatedTopLevelKey(text);
  if (repeated !== null) fail(file, `tensor ${quoteName(repeated)}`, 'is listed twice in the header; every tensor needs its own name');
  return { header: header as Record<string, unknown>, headerLength };
}

/**
 * The first key that a JSON object text (already parsed, so valid) repeats at its top level, or
 * null (JSON.parse keeps the last of repeated keys silently). One pass over the text.
 */
function repeatedTopLevelKey(text: string): string | null {
  let depth = 0;
  let expectKey = false;
  const seen = new Set<string>();
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let j = i + 1;
      while (text.charCodeAt(j) !== 0x22) j += text.charCodeAt(j) === 0x5c /* \ */ ? 2 : 1;
      if (depth === 1 && expectKey) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (seen.has(key)) return key;
        seen.add(key);
        expectKey = false;
      }
      i = j;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      depth++;
      expectKey = depth === 1;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
    } else if (c === 0x2c /* , */ && depth === 1) {
      expectKey = true;
    }
  }
  return null;
}

function checkMetadata(file: string, entry: unknown): void {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) fail(file, '__metadata__', 'must be an object of strings');
  for (const [key, value] of Object.entries(entry)) {
    if (typeof value !== 'string') fail(file, `__metadata__.${clip(oneLine(key), 60)}`, `must be a string, got ${brief(value)}`);
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function decode(view: DataView, start: number, dtype: SafetensorsDtype, count: number): Float32Array | Int8Array | Uint8Array {
  switch (dtype) {
    case 'F32': {
      const byteStart = view.byteOffset + start;
      if (LITTLE_ENDIAN && byteStart % 4 === 0) return new Float32Array(view.buffer.slice(byteStart, byteStart + 4 * count));
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(start + 4 * i, true);
      return out;
    }
    case 'F16': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(start + 2 * i, true));
      return out;
    }
    case 'I8':
      return new Int8Array(view.buffer.slice(view.byteOffset + start, view.byteOffset + start + count));
    case 'U8':
      return new Uint8Array(view.buffer.slice(view.byteOffset + start, view.byteOffset + start + count));
  }
}

/**
 * Writes tensors (in the given order, widest dtype first so every tensor stays aligned) and
 * optional string metadata into a safetensors file. F16 tensors are given as float32 values and
 * rounded to half; I8 / U8 tensors must carry Int8Array / Uint8Array data.
 */
export function writeSafetensors(tensors: Map<string, TensorRecord>, metadata?: Record<string, string>): Uint8Array {
  const entries = [...tensors.entries()].sort((a, b) => DTYPE_BYTES[b[1].dtype] - DTYPE_BYTES[a[1].dtype]);
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, tensor] of entries) {
    const where = `tensor "${name}"`;
    if (name === '__metadata__') fail('safetensors', where, 'the name is reserved; rename the tensor');
    const elementBytes = dtypeBytes(tensor.dtype);
    if (elementBytes === undefined) fail('safetensors', where, `dtype ${JSON.stringify(tensor.dtype)} is not supported; use F32, F16, I8 or U8`);
    if (!tensor.shape.every(isNonNegativeInteger)) fail('safetensors', where, `shape must be non-negative integers, got ${JSON.stringify(tensor.shape)}`);
    const count = shapeSize(tensor.shape);
    if (tensor.data.length !== count) fail('safetensors', where, `has ${tensor.data.length} values but shape [${tensor.shape.join(', ')}] needs ${count}`);
    const wantsFloat = tensor.dtype === 'F32' || tensor.dtype === 'F16';
    const dataOk = wantsFloat ? tensor.data instanceof Float32Array : tensor.dtype === 'I8' ? tensor.data instanceof Int8Array : tensor.data instanceof Uint8Array;
    if (!dataOk) fail('safetensors', where, `${tensor.dtype} data must be a ${wantsFloat ? 'Float32Array' : tensor.dtype === 'I8' ? 'Int8Array' : 'Uint8Array'}`);
    header[name] = { dtype: tensor.dtype, shape: tensor.shape, data_offsets: [offset, offset + count * elementBytes] };
    offset += count * elementBytes;
  }
  let headerText = JSON.stringify(header);
  const encoder = new TextEncoder();
  let headerBytes = encoder.encode(headerText);
  const padding = (8 - (headerBytes.length % 8)) % 8;
  if (padding > 0) headerBytes = encoder.encode((headerText += ' '.repeat(padding)));
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerBytes.length, true);
  out.set(headerBytes, 8);
  let position = 8 + headerBytes.length;
  for (const [, tensor] of entries) {
    const data = tensor.data;
    if (tensor.dtype === 'F32') for (let i = 0; i < data.length; i++, position += 4) view.setFloat32(position, data[i], true);
    else if (tensor.dtype === 'F16') for (let i = 0; i < data.length; i++, position += 2) view.setUint16(position, floatToHalf(data[i]), true);
    else {
      out.set(new Uint8Array(data.buffer, data.byteOffset, data.length), position);
      position += data.length;
    }
  }
  return out;
}
