import type { PreparedBatch } from './batch';
import type { TensorOps } from './ops';
import { recordPooled } from './pooled';
import { recordPositional } from './positional';
import { Walk, type ExecuteOptions, type RawOutput, type ResidentModel } from './walk';

export { neuronParams, type ExecuteOptions, type RawOutput, type ResidentModel } from './walk';

/**
 * Runs a network over a batch with any backend's ops, once per entry of `runs` (e.g. the SNN and its
 * ANN twin): the positional layers chunk by chunk of positions (accumulating the pool), then the
 * pooled layers and the readout. All runs are recorded before anything is read, so on the GPU they
 * share one command buffer (more for very long texts, flushed between chunks) and one read-back.
 */
export async function executeAll<Tensor, NeuronLayer>(
  ops: TensorOps<Tensor, NeuronLayer>,
  model: ResidentModel<Tensor>,
  batch: PreparedBatch,
  runs: ExecuteOptions[],
): Promise<RawOutput[]> {
  const walks = runs.map((options) => {
    const walk = new Walk(ops, model, batch, options);
    recordPooled(walk, recordPositional(walk));
    return walk;
  });
  const readbacks = walks.flatMap((walk) => walk.readbacks);
  const data = await ops.read(readbacks.map(({ tensor, length }) => ({ tensor, length })));
  readbacks.forEach((readback, i) => readback.consume(data[i]));
  return walks.map((walk) => walk.out);
}

/** One run: see `executeAll`. */
export async function execute<Tensor, NeuronLayer>(
  ops: TensorOps<Tensor, NeuronLayer>,
  model: ResidentModel<Tensor>,
  batch: PreparedBatch,
  options: ExecuteOptions,
): Promise<RawOutput> {
  const [out] = await executeAll(ops, model, batch, [options]);
  return out;
}
