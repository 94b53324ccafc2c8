import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lookup3 } from './hdf5-write';
import { readNir } from './read';
import { writeNir } from './write';

const FIXTURES = join(__dirname, '../../fixtures/nir');

describe('the NIR writer', () => {
  it("computes HDF5's checksum, Jenkins' lookup3, as its reference code does", () => {
    const text = new TextEncoder().encode('Four score and seven years ago');
    expect(lookup3(new Uint8Array(0))).toBe(0xdeadbeef);
    expect(lookup3(text)).toBe(0x17770551);
    expect(lookup3(text, 1)).toBe(0xcd628161);
  });

  it('writes every fixture back so that it reads as the same graph (types, parameters, nesting, metadata)', () => {
    for (const name of ['snntorch-recurrent-cubalif', 'nir-misc', 'nested-recurrent-cubalif', 'norse-conv2d-if', 'snntorch-conv2d-lif']) {
      const graph = readNir(new Uint8Array(readFileSync(join(FIXTURES, `${name}.nir`)))).graph;
      graph.metadata = { note: 'written by the test', steps: 4, list: [1, 2.5] };
      const back = readNir(writeNir(graph), name);
      expect(back.graph, name).toEqual(graph);
      expect(back.version).toBe('1.0.6');
    }
  });
});
