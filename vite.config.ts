import { defineConfig } from 'vitest/config';

/** The app (a static site built from index.html) and the unit tests (Node, real WebGPU via Dawn). */
export default defineConfig({
  base: './',
  worker: { format: 'es' },
  build: { outDir: 'dist/app', target: 'es2022' },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
