/**
 * A small HDF5 writer in TypeScript, enough for NIR files: groups, and contiguous datasets of
 * float32, int64 or fixed-length UTF-8 strings (scalar or any shape). The layout is the "new style"
 * of HDF5 1.8: superblock version 2, version-2 object headers with their Jenkins lookup3 checksums,
 * groups as compact link messages (no B-trees, no heaps). libhdf5 (h5py, Python's `nir`) and jsfive
 * read it. Written from the HDF5 File Format Specification, version 3.
 */

export type Hdf5Node = Hdf5Group | Hdf5Dataset;

export interface Hdf5Group {
  kind: 'group';
  children: Map<string, Hdf5Node>;
}

export type Hdf5Dataset =
  | { kind: 'dataset'; type: 'f32'; shape: number[]; data: Float32Array }
  | { kind: 'dataset'; type: 'i64'; shape: number[]; data: number[] }
  | { kind: 'dataset'; type: 'string'; shape: number[]; data: string[] };

const UNDEFINED_ADDRESS = 0xffff_ffff_ffff_ffffn;
const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
const SUPERBLOCK_BYTES = 48;

/** A group of named children, in the order given. */
export function hdf5Group(entries: [string, Hdf5Node][]): Hdf5Group {
  return { kind: 'group', children: new Map(entries) };
}

/** Jenkins' lookup3 `hashlittle` over bytes, as HDF5's checksums use it. */
export function lookup3(bytes: Uint8Array, initval = 0): number {
  const rot = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;
  let length = bytes.length;
  let a = (0xdeadbeef + length + initval) >>> 0;
  let b = a;
  let c = a;
  let k = 0;
  while (length > 12) {
    a = (a + (bytes[k] | (bytes[k + 1] << 8) | (bytes[k + 2] << 16) | (bytes[k + 3] << 24))) >>> 0;
    b = (b + (bytes[k + 4] | (bytes[k + 5] << 8) | (bytes[k + 6] << 16) | (bytes[k + 7] << 24))) >>> 0;
    c = (c + (bytes[k + 8] | (bytes[k + 9] << 8) | (bytes[k + 10] << 16) | (bytes[k + 11] << 24))) >>> 0;
    a = (a - c) >>> 0; a = (a ^ rot(c, 4)) >>> 0; c = (c + b) >>> 0;
    b = (b - a) >>> 0; b = (b ^ rot(a, 6)) >>> 0; a = (a + c) >>> 0;
    c = (c - b) >>> 0; c = (c ^ rot(b, 8)) >>> 0; b = (b + a) >>> 0;
    a = (a - c) >>> 0; a = (a ^ rot(c, 16)) >>> 0; c = (c + b) >>> 0;
    b = (b - a) >>> 0; b = (b ^ rot(a, 19)) >>> 0; a = (a + c) >>> 0;
    c = (c - b) >>> 0; c = (c ^ rot(b, 4)) >>> 0; b = (b + a) >>> 0;
    length -= 12;
    k += 12;
  }
  if (length === 0) return c;
  // The last 1..12 bytes, added byte by byte (the switch of the reference code falls through).
  const tail = [0, 0, 0];
  for (let i = 0; i < length; i++) tail[i >> 2] = (tail[i >> 2] + (bytes[k + i] << (8 * (i & 3)))) >>> 0;
  a = (a + tail[0]) >>> 0;
  b = (b + tail[1]) >>> 0;
  c = (c + tail[2]) >>> 0;
  c = (c ^ b) >>> 0; c = (c - rot(b, 14)) >>> 0;
  a = (a ^ c) >>> 0; a = (a - rot(c, 11)) >>> 0;
  b = (b ^ a) >>> 0; b = (b - rot(a, 25)) >>> 0;
  c = (c ^ b) >>> 0; c = (c - rot(b, 16)) >>> 0;
  a = (a ^ c) >>> 0; a = (a - rot(c, 4)) >>> 0;
  b = (b ^ a) >>> 0; b = (b - rot(a, 14)) >>> 0;
  c = (c ^ b) >>> 0; c = (c - rot(b, 24)) >>> 0;
  return c;
}

/** A growing little-endian byte buffer. */
class Bytes {
  private buffer = new Uint8Array(4096);
  private view = new DataView(this.buffer.buffer);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buffer.length) return;
    let size = this.buffer.length;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buffer.subarray(0, this.length));
    this.buffer = next;
    this.view = new DataView(next.buffer);
  }
  u8(x: number): this {
    this.reserve(1);
    this.buffer[this.length++] = x;
    return this;
  }
  u16(x: number): this {
    this.reserve(2);
    this.view.setUint16(this.length, x, true);
    this.length += 2;
    return this;
  }
  u32(x: number): this {
    this.reserve(4);
    this.view.setUint32(this.length, x >>> 0, true);
    this.length += 4;
    return this;
  }
  u64(x: number | bigint): this {
    this.reserve(8);
    this.view.setBigUint64(this.length, BigInt(x), true);
    this.length += 8;
    return this;
  }
  bytes(b: ArrayLike<number>): this {
    this.reserve(b.length);
    this.buffer.set(b, this.length);
    this.length += b.length;
    return this;
  }
  setU64(at: number, x: number | bigint): void {
    this.view.setBigUint64(at, BigInt(x), true);
  }
  setU32(at: number, x: number): void {
    this.view.setUint32(at, x >>> 0, true);
  }
  slice(from: number, to: number): Uint8Array {
    return this.buffer.slice(from, to);
  }
  finish(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}

const utf8 = new TextEncoder();

/** The bytes of a file whose root group holds `root`'s children. */
export function writeHdf5(root: Hdf5Group): Uint8Array {
  const out = new Bytes();
  out.bytes(new Uint8Array(SUPERBLOCK_BYTES));
  const rootAddress = writeNode(out, root);
  const end = out.length;
  // Superblock version 2: sizes of offsets and lengths 8, no extension, then its checksum.
  const head = new Bytes();
  head.bytes(SIGNATURE).u8(2).u8(8).u8(8).u8(0).u64(0).u64(UNDEFINED_ADDRESS).u64(end).u64(rootAddress);
  const superblock = head.finish();
  const checksum = lookup3(superblock);
  const file = out.finish();
  file.set(superblock, 0);
  new DataView(file.buffer).setUint32(SUPERBLOCK_BYTES - 4, checksum, true);
  return file;
}

interface Message {
  type: number;
  body: Uint8Array;
}

/** Writes `node` (children first) and returns the address of its object header. */
function writeNode(out: Bytes, node: Hdf5Node): number {
  if (node.kind === 'group') {
    const links: Message[] = [];
    for (const [name, child] of node.children) {
      const address = writeNode(out, child);
      const nameBytes = utf8.encode(name);
      if (nameBytes.length === 0 || nameBytes.length > 255) throw new RangeError(`HDF5 link name '${name}' must have 1 to 255 bytes`);
      // Link message version 1: flags 0x10 = a character set follows (1 = UTF-8); 1-byte name length; hard link.
      links.push({ type: 0x06, body: new Bytes().u8(1).u8(0x10).u8(1).u8(nameBytes.length).bytes(nameBytes).u64(address).finish() });
    }
    const linkInfo = new Bytes().u8(0).u8(0).u64(UNDEFINED_ADDRESS).u64(UNDEFINED_ADDRESS).finish();
    const groupInfo = new Bytes().u8(0).u8(0).finish();
    return writeObjectHeader(out, [{ type: 0x02, body: linkInfo }, { type: 0x0a, body: groupInfo }, ...links]);
  }
  const count = node.shape.reduce((a, b) => a * b, 1);
  if (node.data.length !== count) throw new RangeError(`HDF5 dataset of shape [${node.shape.join(', ')}] given ${node.data.length} values`);
  let raw: Uint8Array;
  let datatype: Uint8Array;
  if (node.type === 'f32') {
    raw = new Uint8Array(node.data.buffer.slice(node.data.byteOffset, node.data.byteOffset + node.data.byteLength));
    // Class 1 (floating point), version 1; little-endian IEEE 754 single: sign bit 31, exponent 23..30 (bias 127), mantissa 0..22.
    datatype = new Bytes().u8(0x11).u8(0x20).u8(31).u8(0).u32(4).u16(0).u16(32).u8(23).u8(8).u8(0).u8(23).u32(127).finish();
  } else if (node.type === 'i64') {
    const values = new BigInt64Array(node.data.map((x) => BigInt(x)));
    raw = new Uint8Array(values.buffer);
    // Class 0 (fixed point), version 1; little-endian, signed; 64 bits at offset 0.
    datatype = new Bytes().u8(0x10).u8(0x08).u8(0).u8(0).u32(8).u16(0).u16(64).finish();
  } else {
    const encoded = node.data.map((s) => utf8.encode(s));
    const width = Math.max(1, ...encoded.map((e) => e.length));
    raw = new Uint8Array(width * count);
    encoded.forEach((e, i) => raw.set(e, i * width));
    // Class 3 (string), version 1; null-padded (1), UTF-8 (1 << 4); fixed width.
    datatype = new Bytes().u8(0x13).u8(0x11).u8(0).u8(0).u32(width).finish();
  }
  const address = raw.length > 0 ? out.length : UNDEFINED_ADDRESS;
  out.bytes(raw);
  const dataspace = new Bytes().u8(2).u8(node.shape.length).u8(0).u8(node.shape.length === 0 ? 0 : 1);
  for (const d of node.shape) dataspace.u64(d);
  // Fill value version 3: space allocated early, fill value written if set (none is).
  const fill = new Bytes().u8(3).u8(0x09).finish();
  // Data layout version 3, contiguous: the data's address and size.
  const layout = new Bytes().u8(3).u8(1).u64(address).u64(raw.length).finish();
  return writeObjectHeader(out, [
    { type: 0x01, body: dataspace.finish() },
    { type: 0x03, body: datatype },
    { type: 0x05, body: fill },
    { type: 0x08, body: layout },
  ]);
}

/** A version-2 object header ("OHDR") holding `messages`, with a 4-byte chunk size and its checksum. */
function writeObjectHeader(out: Bytes, messages: Message[]): number {
  const header = new Bytes();
  header.bytes([0x4f, 0x48, 0x44, 0x52]).u8(2).u8(0x02);
  const size = messages.reduce((sum, m) => sum + 4 + m.body.length, 0);
  header.u32(size);
  for (const m of messages) header.u8(m.type).u16(m.body.length).u8(0).bytes(m.body);
  const bytes = header.finish();
  const address = out.length;
  out.bytes(bytes).u32(lookup3(bytes));
  return address;
}
