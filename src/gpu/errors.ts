/** Errors of the GPU layer, named so that they survive the worker boundary by `name`. */

/** No WebGPU adapter or device could be had, or it lacks what the engine needs. */
export class GpuUnavailableError extends Error {
  override name = 'GpuUnavailableError';
}

/** The device was lost (driver reset, tab in background too long, `destroy()`); the next request makes a new one. */
export class GpuDeviceLostError extends Error {
  override name = 'GpuDeviceLostError';
}

/** A problem size exceeds what the device can hold even after chunking. */
export class GpuLimitError extends Error {
  override name = 'GpuLimitError';
}
