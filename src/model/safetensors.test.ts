import { describe, expect, it } from 'vitest';
import { floatToHalf, halfToFloat, MAX_HEADER_BYTES, ModelFormatError, readSafetensors, readSafetensorsIndex, readSafetensorsMetadata, writeSafetensors } from './safetensors';
import type { TensorRecord } from './safetensors';

/** A file written by hand: header JSON (no padding) and data bytes. */
function rawFile(header: unknown, data: Uint8Array, headerLength?: number): Uint8Array {
  const headerBytes = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + headerBytes.length + data.length);
  new DataView(out.buffer).setUint32(0, headerLength ?? headerBytes.length, true);
  out.set(headerBytes, 8);
  out.set(data, 8 + headerBytes.length);
  return out;
}

function expectFormatError(run: () => unknown, message: RegExp): void {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ModelFormatError);
  expect((caught as Error).name).toBe('ModelFormatError');
  expect((caught as Error).message).toMatch(message);
}

describe('safetensors round trip', () => {
  it('gives back every dtype with its shape and values', () => {
    const tensors = new Map<string, TensorRecord>([
      ['u8', { dtype: 'U8', shape: [3], data: new Uint8Array([0, 7, 255]) }],
      ['f32', { dtype: 'F32', shape: [2, 3], data: new Float32Array([1, -2.5, 3e-8, 0, -0, 1e30]) }],
      ['i8', { dtype: 'I8', shape: [2, 2], data: new Int8Array([-128, -1, 0, 127]) }],
      ['f16', { dtype: 'F16', shape: [4], data: new Float32Array([1, -0.5, 65504, 0.099975586]) }],
      ['scalar', { dtype: 'F32', shape: [], data: new Float32Array([42]) }],
      ['empty', { dtype: 'F32', shape: [0, 5], data: new Float32Array(0) }],
    ]);
    const bytes = writeSafetensors(tensors, { producer: 'test' });
    const back = readSafetensors(bytes);
    expect([...back.keys()].sort()).toEqual([...tensors.keys()].sort());
    for (const [name, tensor] of tensors) {
      expect(back.get(name)!.dtype).toBe(tensor.dtype);
      expect(back.get(name)!.shape).toEqual(tensor.shape);
      expect(Array.from(back.get(name)!.data)).toEqual(Array.from(tensor.data));
    }
    expect(readSafetensorsMetadata(bytes)).toEqual({ producer: 'test' });
  });

  it('pads the header to 8 bytes and keeps float tensors aligned', () => {
    const bytes = writeSafetensors(new Map<string, TensorRecord>([['odd', { dtype: 'U8', shape: [3], data: new Uint8Array(3) }], ['x', { dtype: 'F32', shape: [1], data: new Float32Array([5]) }]]));
    const headerLength = new DataView(bytes.buffer).getUint32(0, true);
    expect(headerLength % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
    expect(header.x.data_offsets).toEqual([0, 4]);
    expect(header.odd.data_offsets).toEqual([4, 7]);
  });

  it('rounds F16 to nearest even and decodes subnormals and infinities', () => {
    expect(floatToHalf(1)).toBe(0x3c00);
    expect(floatToHalf(-2)).toBe(0xc000);
    expect(floatToHalf(1 + 2 ** -11)).toBe(0x3c00); // halfway: ties to even
    expect(floatToHalf(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(floatToHalf(1e6)).toBe(0x7c00);
    expect(halfToFloat(0x0001)).toBe(2 ** -24);
    expect(halfToFloat(0xfc00)).toBe(-Infinity);
    expect(halfToFloat(floatToHalf(2 ** -20))).toBe(2 ** -20);
  });
});

describe('safetensors validation', () => {
  const good = writeSafetensors(new Map<string, TensorRecord>([['w', { dtype: 'F32', shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) }]]));

  it('rejects a file shorter than the header length field', () => {
    expectFormatError(() => readSafetensors(new Uint8Array(5)), /weights\.safetensors: header: the file has 5 bytes.*truncated/);
  });

  it('rejects a header length past the end of the file', () => {
    expectFormatError(() => readSafetensors(good.subarray(0, 20)), /header length \d+ runs past the end of the 20-byte file/);
  });

  it('rejects a truncated data region, naming the tensor', () => {
    expectFormatError(() => readSafetensors(good.subarray(0, good.length - 1)), /tensor "w": data_offsets \[0, 16\] run past the 15-byte data region/);
  });

  it('rejects a header that is not JSON', () => {
    expectFormatError(() => readSafetensors(rawFile('{"w": ', new Uint8Array(0))), /header: is not valid UTF-8 JSON/);
  });

  it('rejects a header that is a JSON array', () => {
    expectFormatError(() => readSafetensors(rawFile([], new Uint8Array(0))), /header: must be a JSON object/);
  });

  it('rejects unsupported dtypes', () => {
    expectFormatError(() => readSafetensors(rawFile({ w: { dtype: 'BF16', shape: [1], data_offsets: [0, 2] } }, new Uint8Array(2))), /tensor "w": dtype "BF16" is not supported/);
  });

  it('rejects a byte size that does not match the shape', () => {
    expectFormatError(
      () => readSafetensors(rawFile({ w: { dtype: 'F32', shape: [2, 3], data_offsets: [0, 16] } }, new Uint8Array(16))),
      /tensor "w": data_offsets \[0, 16\] hold 16 bytes but F32 \[2, 3\] needs 24/,
    );
  });

  it('rejects negative or fractional shapes and reversed offsets', () => {
    expectFormatError(() => readSafetensors(rawFile({ w: { dtype: 'U8', shape: [-1], data_offsets: [0, 0] } }, new Uint8Array(0))), /tensor "w": shape must be an array of non-negative integers/);
    expectFormatError(() => readSafetensors(rawFile({ w: { dtype: 'U8', shape: [1], data_offsets: [1, 0] } }, new Uint8Array(1))), /tensor "w": data_offsets must be \[begin, end\]/);
  });

  it('rejects overlapping tensors', () => {
    const header = { a: { dtype: 'U8', shape: [4], data_offsets: [0, 4] }, b: { dtype: 'U8', shape: [4], data_offsets: [2, 6] } };
    expectFormatError(() => readSafetensors(rawFile(header, new Uint8Array(6))), /tensor "b": its data \[2, 6\] overlaps tensor "a" \[0, 4\]/);
  });

  it('rejects metadata that is not string to string', () => {
    expectFormatError(() => readSafetensors(rawFile({ __metadata__: { n: 1 } }, new Uint8Array(0))), /__metadata__\.n: must be a string/);
  });

  it('refuses to write data that does not fit the shape or dtype', () => {
    expectFormatError(() => writeSafetensors(new Map([['w', { dtype: 'F32', shape: [3], data: new Float32Array(2) }]])), /tensor "w": has 2 values but shape \[3\] needs 3/);
    expectFormatError(() => writeSafetensors(new Map([['w', { dtype: 'I8', shape: [2], data: new Uint8Array(2) }]])), /I8 data must be a Int8Array/);
  });

  it('reads tensors from a byte view with an odd offset (unaligned data)', () => {
    const shifted = new Uint8Array(good.length + 1);
    shifted.set(good, 1);
    expect(Array.from(readSafetensors(shifted.subarray(1)).get('w')!.data)).toEqual([1, 2, 3, 4]);
  });
});

describe('safetensors: the header is validated before any tensor is copied', () => {
  /** A header listing `count` tensors that all point at the same `bytes` bytes of data. */
  function aliased(count: number, bytes: number): Uint8Array {
    const header: Record<string, unknown> = {};
    for (let i = 0; i < count; i++) header[`t${i}`] = { dtype: 'U8', shape: [bytes], data_offsets: [0, bytes] };
    return rawFile(header, new Uint8Array(bytes));
  }

  function oneLineError(run: () => unknown): string {
    try {
      run();
    } catch (error) {
      expect(error).toBeInstanceOf(ModelFormatError);
      const message = (error as Error).message;
      expect(message).not.toMatch(/\n/);
      return message;
    }
    throw new Error('no error');
  }

  it('40,000 tensors aliasing the same bytes: a one-line error, quickly, without copying them', () => {
    const file = aliased(40_000, 64);
    expect(file.length).toBeGreaterThan(2_000_000);
    const before = process.memoryUsage().arrayBuffers;
    const started = performance.now();
    const message = oneLineError(() => readSafetensors(file));
    expect(message).toMatch(/^weights\.safetensors: header: lists 40000 tensors, more than the 16384/);
    // Generous bounds: the old reader copied every tensor (40,000 × the data) before failing.
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024);
  });

  it('fewer aliased tensors than the limit: the overlap is reported before anything is decoded', () => {
    const file = aliased(10_000, 1 << 16);
    const before = process.memoryUsage().arrayBuffers;
    expect(oneLineError(() => readSafetensors(file))).toMatch(/^weights\.safetensors: tensor "t\d+": its data \[0, 65536\] overlaps tensor "t\d+" \[0, 65536\]$/);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024);
  });

  it('rejects a name listed twice (JSON.parse would keep the last silently)', () => {
    const text = '{"w": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]}, "x": {"dtype": "U8", "shape": [0], "data_offsets": [0, 0]}, "w": {"dtype": "U8", "shape": [1], "data_offsets": [1, 2]}}';
    expect(oneLineError(() => readSafetensors(rawFile(text, new Uint8Array(2))))).toMatch(/tensor "w": is listed twice in the header/);
    // Keys of nested objects and strings that look like keys are not top-level names.
    const nested = '{"__metadata__": {"w": "a, \\"w\\": b", "v": "c"}, "w": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]}}';
    expect(readSafetensors(rawFile(nested, new Uint8Array(1))).get('w')!.data).toEqual(new Uint8Array(1));
  });

  it('rejects a header over the size limit and shapes of absurd rank', () => {
    const big = new Uint8Array(8 + MAX_HEADER_BYTES + 8);
    new DataView(big.buffer).setUint32(0, MAX_HEADER_BYTES + 1, true);
    expect(oneLineError(() => readSafetensors(big))).toMatch(/header: header length \d+ is over the \d+-byte limit/);
    const shape = new Array(40).fill(1);
    expect(oneLineError(() => readSafetensors(rawFile({ w: { dtype: 'U8', shape, data_offsets: [0, 1] } }, new Uint8Array(1))))).toMatch(/tensor "w": shape must be an array of non-negative integers \(at most 16\)/);
  });

  it('keeps messages on one line whatever the names and values hold', () => {
    const name = `bad\nname${'x'.repeat(5000)}`;
    const message = oneLineError(() => readSafetensors(rawFile({ [name]: { dtype: 'BF16\n', shape: [1], data_offsets: [0, 2] } }, new Uint8Array(2))));
    expect(message).toMatch(/^weights\.safetensors: tensor "bad\\nnamex+"\.\.\.: dtype "BF16\\n" is not supported/);
    expect(message.length).toBeLessThan(300);
    expect(oneLineError(() => readSafetensors(rawFile('{"a":\n x}', new Uint8Array(0))))).toMatch(/header: is not valid UTF-8 JSON/);
  });

  it('decodes only the tensors asked for, after checking all of them', () => {
    const tensors = new Map<string, TensorRecord>([
      ['a', { dtype: 'F32', shape: [2], data: new Float32Array([1, 2]) }],
      ['b', { dtype: 'F16', shape: [3], data: new Float32Array([3, 4, 5]) }],
    ]);
    const bytes = writeSafetensors(tensors);
    const only = readSafetensors(bytes, 'weights.safetensors', new Set(['b']));
    expect([...only.keys()]).toEqual(['b']);
    expect(Array.from(only.get('b')!.data)).toEqual([3, 4, 5]);
    const index = readSafetensorsIndex(bytes);
    expect(index.entries.get('a')).toEqual({ dtype: 'F32', shape: [2], begin: 0, end: 8 });
    // A problem in a tensor that is not asked for is still found.
    const broken = rawFile({ a: { dtype: 'U8', shape: [1], data_offsets: [0, 1] }, b: { dtype: 'U8', shape: [2], data_offsets: [0, 2] } }, new Uint8Array(2));
    expect(oneLineError(() => readSafetensors(broken, 'weights.safetensors', new Set(['a'])))).toMatch(/overlaps/);
  });
});
