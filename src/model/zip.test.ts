import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ModelFormatError } from './safetensors';
import { crc32, DEFAULT_MAX_ZIP_ENTRIES, readZip, writeZip } from './zip';
import type { ReadZipOptions, ZipEntry } from './zip';

const encoder = new TextEncoder();

function text(value: string): Uint8Array {
  return encoder.encode(value);
}

/** Deterministic pseudo-random bytes (xorshift32). */
function randomBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = state & 0xff;
  }
  return out;
}

function inflate(data: Uint8Array, expectedSize: number): Uint8Array {
  return inflateRawSync(data, { maxOutputLength: Math.max(1, expectedSize) });
}

/**
 * A zip of deflated entries as common zip tools write them: local header, deflate data, central
 * directory, end record; `comment` goes at the end.
 */
function deflatedZip(entries: ZipEntry[], comment: Uint8Array = new Uint8Array(0)): Uint8Array {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const { name, data } of entries) {
    const nameBytes = text(name);
    const packed = new Uint8Array(deflateRawSync(data));
    const crc = crc32(data);
    const local = new Uint8Array(30 + nameBytes.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(8, 8, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, packed.length, true);
    lv.setUint32(22, data.length, true);
    lv.setUint16(26, nameBytes.length, true);
    local.set(nameBytes, 30);
    const header = new Uint8Array(46 + nameBytes.length);
    const cv = new DataView(header.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(10, 8, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, packed.length, true);
    cv.setUint32(24, data.length, true);
    cv.setUint16(28, nameBytes.length, true);
    cv.setUint32(42, offset, true);
    header.set(nameBytes, 46);
    parts.push(local, packed);
    central.push(header);
    offset += local.length + packed.length;
  }
  const directorySize = central.reduce((sum, part) => sum + part.length, 0);
  const end = new Uint8Array(22 + comment.length);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, directorySize, true);
  ev.setUint32(16, offset, true);
  ev.setUint16(20, comment.length, true);
  end.set(comment, 22);
  return concat([...parts, ...central, end]);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Offsets of the records of a zip, for tests that damage a field. */
function layout(zip: Uint8Array): { view: DataView; end: number; directory: number } {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const end = zip.length - 22;
  expect(view.getUint32(end, true)).toBe(0x06054b50);
  return { view, end, directory: view.getUint32(end + 16, true) };
}

function readError(bytes: Uint8Array, options: ReadZipOptions = {}): string {
  try {
    readZip(bytes, options);
  } catch (error) {
    expect(error).toBeInstanceOf(ModelFormatError);
    const message = (error as Error).message;
    expect(message).not.toMatch(/[\n\r]/);
    return message;
  }
  throw new Error('the zip was read without error');
}

const sample: ZipEntry[] = [
  { name: 'model.json', data: text('{"name": "tiny"}\n') },
  { name: 'empty.txt', data: new Uint8Array(0) },
  { name: 'folder/ünïcödé 名前.md', data: text('# README\n') },
  { name: 'weights.safetensors', data: randomBytes(1_000_000, 7) },
];

describe('crc32', () => {
  it('gives the standard check value', () => {
    expect(crc32(text('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });
});

describe('writeZip and readZip', () => {
  it('round-trips several entries, an empty and a 1 MB one among them', () => {
    const zip = writeZip(sample);
    const files = readZip(zip);
    expect([...files.keys()]).toEqual(sample.map((entry) => entry.name));
    for (const { name, data } of sample) expect(files.get(name)).toEqual(data);
  });

  it('copies the entries out of the archive', () => {
    const zip = writeZip([{ name: 'a', data: text('abc') }]);
    const data = readZip(zip).get('a')!;
    zip.fill(0);
    expect(data).toEqual(text('abc'));
  });

  it('writes stored entries with UTF-8 names and the DOS time of the date', () => {
    const zip = writeZip([{ name: 'a.txt', data: text('x') }], new Date(2024, 4, 17, 13, 45, 31));
    const view = new DataView(zip.buffer);
    expect(view.getUint32(0, true)).toBe(0x04034b50);
    expect(view.getUint16(6, true)).toBe(0x0800);
    expect(view.getUint16(8, true)).toBe(0);
    expect(view.getUint16(10, true)).toBe((13 << 11) | (45 << 5) | 15);
    expect(view.getUint16(12, true)).toBe((44 << 9) | (5 << 5) | 17);
    const { directory } = layout(zip);
    expect(view.getUint16(directory + 8, true)).toBe(0x0800);
    expect(view.getUint16(directory + 12, true)).toBe((13 << 11) | (45 << 5) | 15);
  });

  it('writes and reads an archive with no entries', () => {
    expect(readZip(writeZip([])).size).toBe(0);
  });

  it('finds the end record behind a comment of any length', () => {
    for (const length of [0, 1, 1000, 65535]) {
      const zip = deflatedZip([{ name: 'a', data: text('hello') }], randomBytes(length, length + 1));
      expect(readZip(zip, { inflateRaw: inflate }).get('a')).toEqual(text('hello'));
    }
  });

  it('reads an archive whose exact end record comes with a ZIP64 one, as Info-ZIP writes for a stream', () => {
    const zip = writeZip(sample.slice(0, 2));
    const locator = new Uint8Array(20);
    new DataView(locator.buffer).setUint32(0, 0x07064b50, true);
    const files = readZip(concat([zip.subarray(0, zip.length - 22), locator, zip.subarray(zip.length - 22)]));
    expect([...files.keys()]).toEqual(['model.json', 'empty.txt']);
  });

  it('reads entries that zlib deflated, through inflateRaw', () => {
    const entries: ZipEntry[] = [
      { name: 'model/model.json', data: text('{"a": 1}'.repeat(1000)) },
      { name: 'model/weights.safetensors', data: randomBytes(100_000, 3) },
      { name: 'model/empty', data: new Uint8Array(0) },
    ];
    const files = readZip(deflatedZip(entries), { inflateRaw: inflate });
    for (const { name, data } of entries) expect(files.get(name)).toEqual(data);
  });

  it('skips folder entries', () => {
    const zip = deflatedZip([{ name: 'model/', data: new Uint8Array(0) }, { name: 'model/a', data: text('a') }]);
    expect([...readZip(zip, { inflateRaw: inflate }).keys()]).toEqual(['model/a']);
  });
});

describe('readZip refuses', () => {
  const zip = writeZip(sample.slice(0, 3).concat([{ name: 'weights.safetensors', data: randomBytes(3000, 5) }]));

  it('bytes that are not a zip', () => {
    expect(readError(new Uint8Array(0))).toBe('model.zip: is empty; download the model again');
    expect(readError(text('{"not": "a zip"}'), { name: 'x.zip' })).toBe(
      'x.zip: is not a ZIP archive (it has no end-of-central-directory record); pass a .zip of a model folder, or the folder itself',
    );
    expect(readError(randomBytes(100_000, 9))).toMatch(/^model\.zip: is not a ZIP archive/);
  });

  it('an archive cut short anywhere', () => {
    for (let cut = 0; cut < zip.length; cut += 97) {
      const message = readError(zip.subarray(0, cut));
      expect(message).toMatch(cut === 0 ? /is empty/ : /^model\.zip: is cut short .*; download the model again$/);
    }
    expect(readError(zip.subarray(0, zip.length - 1))).toMatch(/is cut short/);
  });

  it('a central directory that points beyond the end', () => {
    const bad = zip.slice();
    const { view, end } = layout(bad);
    view.setUint32(end + 16, zip.length - 10, true);
    expect(readError(bad)).toMatch(/^model\.zip: its central directory \(bytes \d+ to \d+\) runs past the end of the file \(\d+ bytes\); the file is damaged: download the model again$/);
    const inside = zip.slice();
    layout(inside).view.setUint32(layout(inside).end + 12, 100_000, true);
    expect(readError(inside)).toMatch(/its central directory .* runs past/);
  });

  it('an entry whose header or data lies beyond the end', () => {
    const bad = zip.slice();
    const { view, directory } = layout(bad);
    view.setUint32(directory + 42, zip.length + 5, true);
    expect(readError(bad)).toMatch(/^model\.zip: entry "model\.json" is cut short \(its header at byte \d+ lies past the end of the file at byte \d+\); download the model again$/);
    const long = zip.slice();
    const at = layout(long);
    at.view.setUint32(at.directory + 20, 1_000_000, true);
    at.view.setUint32(at.directory + 24, 1_000_000, true);
    expect(readError(long)).toMatch(/entry "model\.json" is cut short \(its data runs to byte \d+, but the file ends at byte \d+\)/);
  });

  it('an entry claiming gigabytes, before allocating anything', () => {
    let inflated = 0;
    const spy = (data: Uint8Array, size: number): Uint8Array => {
      inflated++;
      return inflate(data, size);
    };
    const bad = deflatedZip([{ name: 'weights.safetensors', data: text('tiny') }]);
    const { view, directory } = layout(bad);
    view.setUint32(directory + 24, 0xfffffff0, true);
    expect(readError(bad, { inflateRaw: spy })).toBe(
      'model.zip: entry "weights.safetensors" unpacks to 4294967280 bytes, more than the 536870912 allowed; this is not a Spikescope model zip',
    );
    // 10 GB only fits a ZIP64 extra field, behind sizes of 0xffffffff.
    view.setUint32(directory + 20, 0xffffffff, true);
    view.setUint32(directory + 24, 0xffffffff, true);
    expect(readError(bad, { inflateRaw: spy })).toMatch(/entry "weights\.safetensors" has ZIP64 sizes, which this reader does not support/);
    expect(readError(deflatedZip([{ name: 'a', data: text('x'.repeat(2000)) }]), { inflateRaw: spy, maxEntryBytes: 1000 })).toMatch(/unpacks to 2000 bytes, more than the 1000 allowed/);
    expect(inflated).toBe(0);
  });

  it('a wrong CRC-32', () => {
    const bad = zip.slice();
    const { view, directory } = layout(bad);
    view.setUint32(directory + 16, view.getUint32(directory + 16, true) ^ 1, true);
    expect(readError(bad)).toMatch(/^model\.zip: entry "model\.json" fails its CRC-32 check \(stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}\); the file is damaged: download the model again$/);
    const flipped = zip.slice();
    flipped[40] ^= 0xff;
    expect(readError(flipped)).toMatch(/entry "model\.json" fails its CRC-32 check/);
    const deflated = deflatedZip([{ name: 'a', data: randomBytes(5000, 1) }]);
    deflated[deflated.length - 200 - 22] ^= 0x10;
    expect(readError(deflated, { inflateRaw: inflate })).toMatch(/entry "a" (fails its CRC-32 check|cannot be unpacked|unpacks to)/);
  });

  it('deflate data that does not inflate, or inflates to another size', () => {
    const bad = deflatedZip([{ name: 'a', data: text('hello') }]);
    bad.fill(0xff, 31, 36);
    expect(readError(bad, { inflateRaw: inflate })).toMatch(/^model\.zip: entry "a" cannot be unpacked \(.+\); the file is damaged: download the model again$/);
    const wrong = deflatedZip([{ name: 'a', data: text('hello') }]);
    const { view, directory } = layout(wrong);
    view.setUint32(directory + 24, 4, true);
    expect(readError(wrong, { inflateRaw: inflate })).toMatch(/entry "a" cannot be unpacked|entry "a" unpacks to 5 bytes but declares 4/);
  });

  it('deflated entries without an inflater', () => {
    expect(readError(deflatedZip([{ name: 'a', data: text('hello') }]))).toBe(
      'model.zip: entry "a" is compressed (deflate), which cannot be unpacked here; zip the model without compression (zip -0), or unzip it and load the folder',
    );
  });

  it('too many entries', () => {
    const many = Array.from({ length: DEFAULT_MAX_ZIP_ENTRIES + 1 }, (_, i) => ({ name: `f${i}`, data: text(String(i)) }));
    expect(readError(writeZip(many))).toBe("model.zip: holds 65 entries, more than the 64 allowed; zip only the model's files");
    expect(readError(zip, { maxEntries: 2 })).toMatch(/holds 4 entries, more than the 2 allowed/);
    expect(readZip(writeZip(many.slice(0, DEFAULT_MAX_ZIP_ENTRIES))).size).toBe(DEFAULT_MAX_ZIP_ENTRIES);
  });

  it('encrypted entries', () => {
    const bad = zip.slice();
    const { view, directory } = layout(bad);
    view.setUint16(directory + 8, view.getUint16(directory + 8, true) | 1, true);
    expect(readError(bad)).toBe('model.zip: entry "model.json" is encrypted; zip the model without a password');
    const local = zip.slice();
    local[6] |= 1;
    expect(readError(local)).toBe('model.zip: entry "model.json" is encrypted; zip the model without a password');
  });

  it('ZIP64 archives, other compression methods, repeated names and hostile names in one line', () => {
    const zip64 = zip.slice();
    layout(zip64).view.setUint32(layout(zip64).end + 16, 0xffffffff, true);
    expect(readError(zip64)).toMatch(/is a ZIP64 archive, which this reader does not support/);
    const bzip = zip.slice();
    layout(bzip).view.setUint16(layout(bzip).directory + 10, 12, true);
    expect(readError(bzip)).toMatch(/entry "model\.json" uses compression method 12; zip the model with deflate or without compression$/);
    const twice = deflatedZip([{ name: 'a', data: text('1') }, { name: 'a', data: text('2') }]);
    expect(readError(twice, { inflateRaw: inflate })).toBe('model.zip: entry "a" appears twice; zip each file once');
    const hostile = deflatedZip([{ name: 'evil\nname', data: text('1') }]);
    expect(readError(hostile)).toMatch(/^model\.zip: entry "evil\\nname" is compressed/);
    expect(readError(zip, { name: 'line\nbreak.zip', maxEntries: 1 })).toMatch(/^line\\nbreak\.zip: holds 4 entries/);
  });
});

describe('writeZip refuses', () => {
  it.each([
    ['', /is empty/],
    ['/etc/passwd', /is an absolute path/],
    ['C:/model.json', /is an absolute path/],
    ['a\\b', /contains a backslash/],
    ['../model.json', /contains a "\.\." part/],
    ['model/../../x', /contains a "\.\." part/],
    ['folder/', /has an empty or "\." part/],
    ['a//b', /has an empty or "\." part/],
  ])('the unsafe name %j', (name, problem) => {
    expect(() => writeZip([{ name, data: text('x') }])).toThrow(problem);
  });

  it('repeated names', () => {
    expect(() => writeZip([{ name: 'a', data: text('1') }, { name: 'a', data: text('2') }])).toThrow('zip: entry name "a" is given twice; every entry needs its own name');
  });

  it('an archive of 4 GiB or more, before allocating it', () => {
    const huge = { length: 2 ** 32 } as Uint8Array;
    expect(() => writeZip([{ name: 'weights.safetensors', data: huge }])).toThrow(/4 GiB or more, which needs ZIP64/);
  });
});
