import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { GpuUnavailableError } from './errors';

/** Where Debian's `chromium` package ships SwiftShader, the software Vulkan driver. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

let cached: Promise<GPU> | null = null;
/** Every instance Dawn made: one that is garbage-collected can abort the process later, so all are kept. */
const instances: GPU[] = [];

/**
 * WebGPU in Node through the `webgpu` package (Dawn, Vulkan backend). Uses the machine's Vulkan
 * drivers when they offer an adapter; otherwise SwiftShader (`SPIKESCOPE_VK_ICD` or Debian chromium's),
 * so that a machine without a GPU still runs every kernel on a real WebGPU implementation.
 */
export function nodeGpu(): Promise<GPU> {
  cached ??= acquire();
  return cached;
}

async function acquire(): Promise<GPU> {
  let webgpu: { create(flags: string[]): GPU; globals: Record<string, unknown> };
  try {
    webgpu = createRequire(import.meta.url)('webgpu') as typeof webgpu;
  } catch (error) {
    throw new GpuUnavailableError(`The 'webgpu' package could not be loaded (${(error as Error).message}); run npm ci.`);
  }
  Object.assign(globalThis, webgpu.globals);
  const create = () => {
    const instance = webgpu.create(['backend=vulkan']);
    instances.push(instance);
    return instance;
  };
  const override = process.env.SPIKESCOPE_VK_ICD;
  if (override) {
    process.env.VK_ICD_FILENAMES = override;
    return create();
  }
  if (!process.env.VK_ICD_FILENAMES) {
    const system = create();
    if (await system.requestAdapter()) return system;
    if (!existsSync(SWIFTSHADER_ICD)) {
      throw new GpuUnavailableError(
        `No Vulkan adapter, and no SwiftShader at ${SWIFTSHADER_ICD}. Install it with ` +
          `'apt-get install chromium libvulkan1', or set SPIKESCOPE_VK_ICD to a Vulkan ICD JSON file.`,
      );
    }
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  }
  return create();
}
