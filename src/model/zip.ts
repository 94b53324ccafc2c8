/**
 * ZIP archives, so that a model folder (model.json, weights.safetensors, README.md) travels as one
 * file: the browser offers it as one download and the CLI loads it as it is. Pure code for the
 * browser and Node, without dependencies.
 *
 * The writer stores entries uncompressed (method 0): float weights barely compress, and stored data
 * needs no inflater to read back. The reader takes stored entries and, when the caller passes an
 * inflater (Node's zlib), deflated ones (method 8), because the zip tools of operating systems
 * compress by default. No ZIP64, encryption or multi-disk archives: a model never needs them.
 *
 * The reader treats its input as hostile: every offset and size is checked against the file before
 * anything is allocated from it or sliced out of it, the number of entries and the size of each are
 * bounded, and every entry's CRC-32 is verified.
 */

import { clip, oneLine, quoteName } from './describe-value';
import { ModelFormatError } from './safetensors';

const LOCAL_HEADER_SIGNATURE = 0x04034b50;
const CENTRAL_HEADER_SIGNATURE = 0x02014b50;
const END_RECORD_SIGNATURE = 0x06054b50;
const LOCAL_HEADER_BYTES = 30;
const CENTRAL_HEADER_BYTES = 46;
const END_RECORD_BYTES = 22;
const MAX_COMMENT_BYTES = 0xffff;
/** Version 2.0: the least that covers deflate and folders, and what every reader accepts. */
const ZIP_VERSION = 20;
const FLAG_ENCRYPTED = 0x0001;
const FLAG_UTF8_NAME = 0x0800;
const METHOD_STORED = 0;
const METHOD_DEFLATE = 8;
/** Entry counts and 32-bit sizes at these values mean "see the ZIP64 record". */
const ZIP64_COUNT = 0xffff;
const ZIP64_SIZE = 0xffffffff;

/** Most entries `readZip` accepts unless told otherwise (a model zip holds three files). */
export const DEFAULT_MAX_ZIP_ENTRIES = 64;
/** Largest unpacked entry `readZip` accepts unless told otherwise (512 MiB, far above a model's weights). */
export const DEFAULT_MAX_ZIP_ENTRY_BYTES = 512 * 1024 * 1024;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE 802.3, the checksum of ZIP, gzip and PNG) of `bytes`, as an unsigned 32-bit number. */
export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = CRC_TABLE[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** One file of an archive: its path inside the archive (`/`-separated) and its bytes. */
export interface ZipEntry {
  name: string;
  data: Uint8Array;
}

/** MS-DOS time and date fields of a local time, clamped to the years DOS dates can hold (1980–2107). */
function dosDateTime(date: Date): { time: number; day: number } {
  const year = date.getFullYear();
  if (!(year >= 1980)) return { time: 0, day: (1 << 5) | 1 };
  if (year > 2107) return { time: (23 << 11) | (59 << 5) | 29, day: (127 << 9) | (12 << 5) | 31 };
  return {
    time: (date.getHours() << 11) | (date.getMinutes() << 5) | (date.getSeconds() >> 1),
    day: ((year - 1980) << 9) | ((date.getMonth() + 1) << 5) | date.getDate(),
  };
}

/**
 * Why `name` may not be written into an archive, or null. Names are relative `/`-separated paths
 * with no empty, `.` or `..` parts, so that no unzip tool writes outside the folder it unpacks into.
 */
function nameProblem(name: string): string | null {
  if (name === '') return 'is empty; give every entry a file name';
  if (name.includes('\\')) return 'contains a backslash; separate folders with "/"';
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return 'is an absolute path; use a path relative to the archive root';
  const parts = name.split('/');
  if (parts.includes('..')) return 'contains a ".." part; use a path inside the archive';
  if (parts.some((part) => part === '' || part === '.')) return 'has an empty or "." part (or ends in "/"); name a file, as "folder/file"';
  return null;
}

/**
 * A ZIP archive holding `entries` uncompressed, in order, with UTF-8 names and the modification time
 * `date` (local time, as zip tools show it). Throws an Error for a name that is empty, absolute,
 * holds a backslash or a `..` part, or repeats another, and for an archive of 4 GiB or more (which
 * would need ZIP64). The result is backed by a plain ArrayBuffer, so it can go into a `Blob` as is.
 */
export function writeZip(entries: readonly ZipEntry[], date = new Date()): Uint8Array<ArrayBuffer> {
  if (entries.length >= ZIP64_COUNT) throw new Error(`zip: ${entries.length} entries are too many for an archive without ZIP64; write fewer than ${ZIP64_COUNT}`);
  const encoder = new TextEncoder();
  const seen = new Set<string>();
  const names: Uint8Array[] = [];
  let total = END_RECORD_BYTES;
  for (const { name, data } of entries) {
    const problem = nameProblem(name);
    if (problem !== null) throw new Error(`zip: entry name ${quoteName(name)} ${problem}`);
    if (seen.has(name)) throw new Error(`zip: entry name ${quoteName(name)} is given twice; every entry needs its own name`);
    seen.add(name);
    const encoded = encoder.encode(name);
    if (encoded.length > 0xffff) throw new Error(`zip: entry name ${quoteName(name)} has ${encoded.length} bytes, more than 65535; shorten it`);
    names.push(encoded);
    total += LOCAL_HEADER_BYTES + CENTRAL_HEADER_BYTES + 2 * encoded.length + data.length;
  }
  if (total >= 2 ** 32) throw new Error(`zip: the archive would have ${total} bytes, 4 GiB or more, which needs ZIP64; save the model as a folder instead`);

  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  const { time, day } = dosDateTime(date);
  const crcs: number[] = [];
  const offsets: number[] = [];
  let at = 0;
  entries.forEach(({ data }, i) => {
    const crc = crc32(data);
    crcs.push(crc);
    offsets.push(at);
    view.setUint32(at, LOCAL_HEADER_SIGNATURE, true);
    view.setUint16(at + 4, ZIP_VERSION, true);
    view.setUint16(at + 6, FLAG_UTF8_NAME, true);
    view.setUint16(at + 8, METHOD_STORED, true);
    view.setUint16(at + 10, time, true);
    view.setUint16(at + 12, day, true);
    view.setUint32(at + 14, crc, true);
    view.setUint32(at + 18, data.length, true);
    view.setUint32(at + 22, data.length, true);
    view.setUint16(at + 26, names[i].length, true);
    view.setUint16(at + 28, 0, true);
    out.set(names[i], at + LOCAL_HEADER_BYTES);
    at += LOCAL_HEADER_BYTES + names[i].length;
    out.set(data, at);
    at += data.length;
  });
  const directoryStart = at;
  entries.forEach(({ data }, i) => {
    view.setUint32(at, CENTRAL_HEADER_SIGNATURE, true);
    view.setUint16(at + 4, ZIP_VERSION, true);
    view.setUint16(at + 6, ZIP_VERSION, true);
    view.setUint16(at + 8, FLAG_UTF8_NAME, true);
    view.setUint16(at + 10, METHOD_STORED, true);
    view.setUint16(at + 12, time, true);
    view.setUint16(at + 14, day, true);
    view.setUint32(at + 16, crcs[i], true);
    view.setUint32(at + 20, data.length, true);
    view.setUint32(at + 24, data.length, true);
    view.setUint16(at + 28, names[i].length, true);
    // Extra field, comment, disk number, internal and external attributes: all zero.
    view.setUint32(at + 42, offsets[i], true);
    out.set(names[i], at + CENTRAL_HEADER_BYTES);
    at += CENTRAL_HEADER_BYTES + names[i].length;
  });
  view.setUint32(at, END_RECORD_SIGNATURE, true);
  view.setUint16(at + 8, entries.length, true);
  view.setUint16(at + 10, entries.length, true);
  view.setUint32(at + 12, at - directoryStart, true);
  view.setUint32(at + 16, directoryStart, true);
  return out;
}

/** How `readZip` names the archive in errors, what it accepts, and how it inflates. */
export interface ReadZipOptions {
  /** The archive in error messages, usually its path or file name (default `model.zip`). */
  name?: string;
  /** Most entries, folders included (default DEFAULT_MAX_ZIP_ENTRIES). */
  maxEntries?: number;
  /** Largest unpacked size of one entry in bytes (default DEFAULT_MAX_ZIP_ENTRY_BYTES). */
  maxEntryBytes?: number;
  /**
   * Inflates raw deflate data (method 8) that should unpack to `expectedSize` bytes; it should stop
   * rather than produce much more. Without it, deflated entries are refused.
   */
  inflateRaw?: (data: Uint8Array, expectedSize: number) => Uint8Array;
}

function fail(file: string, problem: string, cause?: unknown): never {
  throw new ModelFormatError(`${file}: ${problem}`, cause === undefined ? undefined : { cause });
}

/**
 * `data` as a plain Uint8Array that alone holds its buffer: an inflater may return a subclass (a
 * Node Buffer) or a view of a shared pool, whose other bytes must not leak through `.buffer`.
 */
function ownedBytes(data: Uint8Array): Uint8Array {
  if (data.byteOffset === 0 && data.byteLength === data.buffer.byteLength) return data.constructor === Uint8Array ? data : new Uint8Array(data.buffer);
  return new Uint8Array(data);
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}

/** Where the end-of-central-directory record starts (the last one whose comment reaches exactly to the end), or -1. */
function findEndRecord(bytes: Uint8Array, view: DataView): number {
  const last = bytes.length - END_RECORD_BYTES;
  const first = Math.max(0, last - MAX_COMMENT_BYTES);
  for (let at = last; at >= first; at--) {
    if (bytes[at] === 0x50 && view.getUint32(at, true) === END_RECORD_SIGNATURE && at + END_RECORD_BYTES + view.getUint16(at + 20, true) === bytes.length) return at;
  }
  return -1;
}

/** One file entry of the central directory, with its data's place checked against the archive. */
interface FoundEntry {
  name: string;
  method: number;
  crc: number;
  packedSize: number;
  size: number;
  dataStart: number;
}

/**
 * The files of a ZIP archive by name (`folder/file`; folder entries are left out), each a copy of
 * its unpacked bytes. The archive is checked whole before anything is unpacked: the central
 * directory and every local header lie inside the file, there are at most `maxEntries` entries, each
 * unpacks to at most `maxEntryBytes`, none is encrypted or repeated, each is stored or (with
 * `inflateRaw`) deflated; then each entry's size and CRC-32 are verified as it is unpacked.
 * Names are read as UTF-8. Archives that need ZIP64 (saturated counts, sizes or offsets) are
 * refused; a ZIP64 end record beside exact 32-bit fields is ignored. Throws `ModelFormatError` with
 * a one-line message naming the archive.
 */
export function readZip(bytes: Uint8Array, options: ReadZipOptions = {}): Map<string, Uint8Array> {
  const file = options.name ?? 'model.zip';
  const maxEntries = options.maxEntries ?? DEFAULT_MAX_ZIP_ENTRIES;
  const maxEntryBytes = options.maxEntryBytes ?? DEFAULT_MAX_ZIP_ENTRY_BYTES;
  const length = bytes.length;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

  const end = findEndRecord(bytes, view);
  if (end < 0) {
    if (length === 0) fail(file, 'is empty; download the model again');
    if (length >= 4 && view.getUint32(0, true) === LOCAL_HEADER_SIGNATURE) {
      fail(file, `is cut short (its ${length} bytes end before the zip's end-of-central-directory record); download the model again`);
    }
    fail(file, 'is not a ZIP archive (it has no end-of-central-directory record); pass a .zip of a model folder, or the folder itself');
  }
  const disk = view.getUint16(end + 4, true);
  const directoryDisk = view.getUint16(end + 6, true);
  const entriesOnDisk = view.getUint16(end + 8, true);
  const entryCount = view.getUint16(end + 10, true);
  const directorySize = view.getUint32(end + 12, true);
  const directoryStart = view.getUint32(end + 16, true);
  // A ZIP64 end record (Info-ZIP writes one when it zips a stream) only matters when these fields
  // are saturated; otherwise they are exact and the archive reads without it.
  if (entryCount === ZIP64_COUNT || directorySize === ZIP64_SIZE || directoryStart === ZIP64_SIZE) {
    fail(file, 'is a ZIP64 archive, which this reader does not support; zip the model folder again without ZIP64 (a model needs less than 4 GiB)');
  }
  if (disk !== 0 || directoryDisk !== 0 || entriesOnDisk !== entryCount) fail(file, 'is one part of a multi-part archive; join the parts into one .zip');
  if (entryCount > maxEntries) fail(file, `holds ${entryCount} entries, more than the ${maxEntries} allowed; zip only the model's files`);
  const directoryEnd = directoryStart + directorySize;
  if (directoryEnd > end) {
    const limit = directoryEnd > length ? `the end of the file (${length} bytes)` : `the end-of-central-directory record at byte ${end}`;
    fail(file, `its central directory (bytes ${directoryStart} to ${directoryEnd}) runs past ${limit}; the file is damaged: download the model again`);
  }

  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const lenientUtf8 = new TextDecoder('utf-8');
  const found: FoundEntry[] = [];
  const seen = new Set<string>();
  let at = directoryStart;
  for (let i = 0; i < entryCount; i++) {
    const where = `central directory entry ${i + 1} of ${entryCount} (byte ${at})`;
    if (at + CENTRAL_HEADER_BYTES > directoryEnd || view.getUint32(at, true) !== CENTRAL_HEADER_SIGNATURE) {
      fail(file, `${where} is missing or damaged; download the model again`);
    }
    const flags = view.getUint16(at + 8, true);
    const method = view.getUint16(at + 10, true);
    const crc = view.getUint32(at + 16, true);
    const packedSize = view.getUint32(at + 20, true);
    const size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const next = at + CENTRAL_HEADER_BYTES + nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
    const localStart = view.getUint32(at + 42, true);
    if (next > directoryEnd) fail(file, `${where} runs past the end of the central directory at byte ${directoryEnd}; download the model again`);
    const nameBytes = bytes.subarray(at + CENTRAL_HEADER_BYTES, at + CENTRAL_HEADER_BYTES + nameLength);
    let name: string;
    try {
      // Without the UTF-8 flag the name is nominally CP437; the tools that leave the flag off write UTF-8 or ASCII.
      name = (flags & FLAG_UTF8_NAME ? utf8 : lenientUtf8).decode(nameBytes);
    } catch (error) {
      fail(file, `${where} has a name that is not valid UTF-8; zip the model folder again`, error);
    }
    at = next;
    const entry = `entry ${quoteName(name)}`;
    if (flags & FLAG_ENCRYPTED) fail(file, `${entry} is encrypted; zip the model without a password`);
    if (packedSize === ZIP64_SIZE || size === ZIP64_SIZE || localStart === ZIP64_SIZE) {
      fail(file, `${entry} has ZIP64 sizes, which this reader does not support; zip the model folder again without ZIP64 (a model needs less than 4 GiB)`);
    }
    if (name.endsWith('/')) continue;
    if (seen.has(name)) fail(file, `${entry} appears twice; zip each file once`);
    seen.add(name);
    if (size > maxEntryBytes) fail(file, `${entry} unpacks to ${size} bytes, more than the ${maxEntryBytes} allowed; this is not a Spikescope model zip`);
    if (method === METHOD_DEFLATE) {
      if (options.inflateRaw === undefined) fail(file, `${entry} is compressed (deflate), which cannot be unpacked here; zip the model without compression (zip -0), or unzip it and load the folder`);
    } else if (method === METHOD_STORED) {
      if (packedSize !== size) fail(file, `${entry} is stored uncompressed as ${packedSize} bytes but declares ${size}; the file is damaged: download the model again`);
    } else {
      fail(file, `${entry} uses compression method ${method}; zip the model with deflate or without compression`);
    }
    if (localStart + LOCAL_HEADER_BYTES > length) {
      fail(file, `${entry} is cut short (its header at byte ${localStart} lies past the end of the file at byte ${length}); download the model again`);
    }
    if (view.getUint32(localStart, true) !== LOCAL_HEADER_SIGNATURE) fail(file, `${entry} has no local header at byte ${localStart}; the file is damaged: download the model again`);
    if (view.getUint16(localStart + 6, true) & FLAG_ENCRYPTED) fail(file, `${entry} is encrypted; zip the model without a password`);
    const dataStart = localStart + LOCAL_HEADER_BYTES + view.getUint16(localStart + 26, true) + view.getUint16(localStart + 28, true);
    const dataEnd = dataStart + packedSize;
    if (dataEnd > length) fail(file, `${entry} is cut short (its data runs to byte ${dataEnd}, but the file ends at byte ${length}); download the model again`);
    if (dataEnd > directoryStart) {
      fail(file, `${entry} has data (bytes ${dataStart} to ${dataEnd}) that runs into the central directory at byte ${directoryStart}; the file is damaged: download the model again`);
    }
    found.push({ name, method, crc, packedSize, size, dataStart });
  }

  const files = new Map<string, Uint8Array>();
  for (const { name, method, crc, packedSize, size, dataStart } of found) {
    const entry = `entry ${quoteName(name)}`;
    const packed = bytes.subarray(dataStart, dataStart + packedSize);
    let data: Uint8Array;
    if (method === METHOD_STORED) {
      data = packed.slice();
    } else {
      try {
        data = ownedBytes(options.inflateRaw!(packed, size));
      } catch (error) {
        fail(file, `${entry} cannot be unpacked (${clip(oneLine(String((error as Error)?.message ?? error)), 120)}); the file is damaged: download the model again`, error);
      }
      if (data.length !== size) fail(file, `${entry} unpacks to ${data.length} bytes but declares ${size}; the file is damaged: download the model again`);
    }
    const actual = crc32(data);
    if (actual !== crc) fail(file, `${entry} fails its CRC-32 check (stored ${hex(crc)}, computed ${hex(actual)}); the file is damaged: download the model again`);
    files.set(name, data);
  }
  return files;
}
