#!/usr/bin/env node
// The whole test suite: type check, unit and GPU parity tests (Node, WebGPU through Dawn), then the
// browser tests (Playwright in Chromium with WebGPU). Checks the prerequisites first and says how
// to get what is missing, instead of failing somewhere deep inside.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

const chromium = process.env.SPIKESCOPE_CHROMIUM || process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const swiftshader = '/usr/lib/chromium/vk_swiftshader_icd.json';
const problems = [];
if (!existsSync(chromium)) {
  problems.push(`No Chromium at ${chromium}. Install Debian's: sudo apt-get install chromium libvulkan1 (or set SPIKESCOPE_CHROMIUM to a Chromium binary).`);
}
if (!process.env.VK_ICD_FILENAMES && !process.env.SPIKESCOPE_VK_ICD && !existsSync(swiftshader)) {
  problems.push(`No SwiftShader Vulkan driver at ${swiftshader} (it comes with Debian's chromium package), and no VK_ICD_FILENAMES / SPIKESCOPE_VK_ICD set.`);
}
const hasLibVulkan = ['/usr/lib/x86_64-linux-gnu/libvulkan.so.1', '/usr/lib/aarch64-linux-gnu/libvulkan.so.1', '/usr/lib/libvulkan.so.1'].some(existsSync);
const env = { ...process.env };
if (!hasLibVulkan && existsSync('/usr/lib/chromium/libvulkan.so.1')) {
  // Chromium ships its own Vulkan loader; let Dawn find it when the system has none.
  env.LD_LIBRARY_PATH = ['/usr/lib/chromium', env.LD_LIBRARY_PATH].filter(Boolean).join(':');
} else if (!hasLibVulkan) {
  problems.push('No Vulkan loader (libvulkan.so.1). Install it: sudo apt-get install libvulkan1');
}
if (problems.length > 0) {
  for (const problem of problems) console.error(`test: ${problem}`);
  process.exit(1);
}

// Outside Playwright's output folder, which it empties when it starts.
mkdirSync('test-reports', { recursive: true });
const vitestReport = 'test-reports/vitest.json';
const playwrightReport = 'test-reports/playwright.json';
const steps = [
  ['type check', 'npx', ['tsc', '--noEmit']],
  ['unit and GPU parity tests (Node, WebGPU via Dawn)', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestReport}`]],
  ['build', 'npm', ['run', 'build']],
  ['browser tests (Playwright, Chromium with WebGPU)', 'npx', ['playwright', 'test', '--reporter=list,json']],
];
env.PLAYWRIGHT_JSON_OUTPUT_NAME = playwrightReport;
rmSync(vitestReport, { force: true });
rmSync(playwrightReport, { force: true });

/** Passed, failed and skipped tests of both runners, from their JSON reports. */
function counts() {
  const total = { passed: 0, failed: 0, skipped: 0 };
  if (existsSync(vitestReport)) {
    const report = JSON.parse(readFileSync(vitestReport, 'utf8'));
    total.passed += report.numPassedTests;
    total.failed += report.numFailedTests;
    total.skipped += report.numPendingTests + report.numTodoTests;
  }
  if (existsSync(playwrightReport)) {
    const { stats } = JSON.parse(readFileSync(playwrightReport, 'utf8'));
    total.passed += stats.expected + stats.flaky;
    total.failed += stats.unexpected;
    total.skipped += stats.skipped;
  }
  return total;
}

let failedStep = null;
for (const [name, command, args] of steps) {
  console.log(`\n=== ${name}: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', env });
  if (result.status !== 0) {
    failedStep = `${name} failed (exit ${result.status ?? result.signal})`;
    break;
  }
}
const { passed, failed, skipped } = counts();
if (failedStep) console.error(`\ntest: ${failedStep}.`);
if (skipped > 0) console.error(`test: ${skipped} test(s) were skipped; no test may skip.`);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failedStep || failed > 0 || skipped > 0 ? 1 : 0);
