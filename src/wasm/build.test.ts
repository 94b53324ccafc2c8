import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('the WebAssembly kernels', () => {
  it('the committed module is assembly/kernels.ts compiled (npm run build:wasm)', () => {
    const result = spawnSync('node', ['scripts/build-wasm.mjs', '--check'], { encoding: 'utf8' });
    expect(result.stderr + result.stdout).toContain('is up to date');
    expect(result.status).toBe(0);
  });
});
