/**
 * The ops training runs on, for a backend choice, in Node or in a page's worker alike: WebGPU, the
 * WebAssembly CPU backend or the reference (`resolveBackend`; `auto` skips a software adapter, as
 * the CPU backend is faster than SwiftShader).
 */
import { createCpuBackend } from '../engine/backends';
import { resolveBackend } from '../engine/choose-backend';
import { CpuOps } from '../engine/cpu-ops';
import { GpuOps } from '../engine/gpu-ops';
import type { TensorOps } from '../engine/ops';
import type { BackendChoice } from '../engine/types';
import { WasmOps } from '../engine/wasm-ops';

/** Open training ops, what they run on (for a log or a card), and how to release them. */
export interface TrainOps {
  ops: TensorOps<unknown>;
  detail: string;
  kind: 'gpu' | 'cpu' | 'reference';
  close(): void;
}

/** Opens the training ops of `choice`, with `gpu` giving the WebGPU entry point (`navigator.gpu`, or Node's). */
export async function openTrainOpsWith(choice: BackendChoice, gpu: () => Promise<GPU | undefined>): Promise<TrainOps> {
  const resolved = await resolveBackend(choice, gpu, true);
  if (resolved.kind !== 'gpu') {
    const ops = resolved.kind === 'cpu' ? new WasmOps() : new CpuOps();
    const detail = createCpuBackend(resolved.kind, resolved.why).detail;
    return { ops: ops as TensorOps<unknown>, detail, kind: resolved.kind, close: () => ops.dispose() };
  }
  const ctx = resolved.ctx;
  const ops = new GpuOps(ctx);
  const detail = [ctx.adapter.vendor, ctx.adapter.architecture, ctx.adapter.device, ctx.adapter.description].filter(Boolean).join(' ');
  return {
    ops: ops as TensorOps<unknown>,
    detail,
    kind: 'gpu',
    close() {
      ops.dispose();
      ctx.destroy();
    },
  };
}
