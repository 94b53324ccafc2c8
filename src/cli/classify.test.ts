import { describe, expect, it } from 'vitest';
import { InputError } from '../engine/errors';
import { TestRandom } from '../test-support/random';
import { firstInvalidUtf8, textLines } from './classify';

function isUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

describe('textLines: standard input as texts', () => {
  it('gives the non-blank lines of UTF-8 text, without a byte-order mark', () => {
    expect(textLines(new TextEncoder().encode('\ufeffgood\r\n\n  \nbad 电影\n'), 'input')).toEqual(['good', 'bad 电影']);
  });

  it('refuses NUL bytes and bytes that are not UTF-8, naming the byte and line', () => {
    expect(() => textLines(Uint8Array.from([0x61, 0x0a, 0x62, 0x00]), 'standard input')).toThrow(new InputError('standard input is not text: it holds a NUL byte (byte 4, line 2); pipe UTF-8 text, one text per line'));
    expect(() => textLines(Uint8Array.from([0x61, 0x0a, 0x0a, 0xc3, 0x28]), 'standard input')).toThrow(/^standard input is not UTF-8 text \(byte 4 is 0xC3, line 3\)/);
  });

  it('finds an invalid byte exactly when the strict decoder fails (seeded random and near-UTF-8 input)', () => {
    const random = new TestRandom(5);
    const samples: Uint8Array[] = [Uint8Array.from([0xed, 0xa0, 0x80]), Uint8Array.from([0xf4, 0x90, 0x80, 0x80]), Uint8Array.from([0xe0, 0x80, 0x80]), Uint8Array.from([0xf0, 0x9f, 0x98])];
    for (let n = 0; n < 2000; n++) {
      // Mostly valid text with a few arbitrary bytes mixed in, so both outcomes occur.
      const text = new TextEncoder().encode('aé电😀'.repeat(random.integer(0, 4)));
      const bytes = Uint8Array.from(text);
      for (let k = random.integer(0, 3); k > 0 && bytes.length > 0; k--) bytes[random.integer(0, bytes.length)] = random.integer(0x80, 0x100);
      samples.push(bytes);
    }
    let invalid = 0;
    for (const bytes of samples) {
      const bad = firstInvalidUtf8(bytes);
      expect(bad === -1, Array.from(bytes).join(',')).toBe(isUtf8(bytes));
      if (bad >= 0) {
        invalid++;
        expect(isUtf8(bytes.subarray(0, bad))).toBe(true);
      }
    }
    expect(invalid).toBeGreaterThan(100);
  });
});
