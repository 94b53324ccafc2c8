/** The NIR code the worker loads on first use (a chunk of its own, with jsfive). */
export { MAX_NIR_FILE_BYTES } from '../nir/read';
export { NirSession, thresholdsOf } from '../nir/session';
export { runNirGpu } from '../nir/gpu';
export { runNirReference } from '../nir/reference';
export { exportModel } from '../nir/export';
export { writeNir } from '../nir/write';
export { NirFormatError } from '../nir/types';
