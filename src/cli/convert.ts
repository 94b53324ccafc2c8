import { backendChoice } from './node-engine';
import { parseFlags, commandLine } from './flags';
import { runConvertCommand } from '../train/convert';
import { UsageError } from './errors';

export const CONVERT_USAGE = `convert  --model DIR --out DIR [--percentile P] [--pool-percentile P] [--output-percentile P] [--steps T]
           [--data-dir DIR] [--backend auto|gpu|cpu|reference]
           re-balance the IF thresholds of a trained model (percentiles of its ANN activations on training data)`;

function percentileFlag(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0 || number > 100) throw new UsageError(`--${name} must be a number in (0, 100], got '${value}'`);
  return number;
}

/** `spikescope convert`: see CONVERT_USAGE. */
export async function runConvert(argv: string[]): Promise<number> {
  const parsed = parseFlags(argv, {
    model: { type: 'string' },
    out: { type: 'string' },
    percentile: { type: 'string' },
    'pool-percentile': { type: 'string' },
    'output-percentile': { type: 'string' },
    steps: { type: 'string' },
    'data-dir': { type: 'string' },
    backend: { type: 'string' },
  });
  const v = parsed.values;
  if (!v.model || !v.out) throw new UsageError('convert needs --model DIR and --out DIR');
  const backend = backendChoice(v.backend);
  const conv = percentileFlag('percentile', v.percentile, 99.9);
  const steps = v.steps === undefined ? undefined : Number(v.steps);
  if (steps !== undefined && !(Number.isInteger(steps) && steps >= 1 && steps <= 1000)) throw new UsageError(`--steps must be a whole number from 1 to 1000, got '${v.steps}'`);
  await runConvertCommand(
    {
      model: v.model,
      out: v.out,
      dataDir: v['data-dir'],
      percentiles: { conv, pooled: percentileFlag('pool-percentile', v['pool-percentile'], conv), logits: percentileFlag('output-percentile', v['output-percentile'], 50) },
      numSteps: steps,
      backend,
      command: commandLine('convert', argv),
    },
    (line) => console.log(line),
  );
  return 0;
}
