import { runBench } from './bench';
import { runClassify } from './classify';
import { describeError, UsageError } from './errors';
import { CONVERT_USAGE, runConvert } from './convert';
import { EVAL_USAGE, runEval } from './eval';
import { FINETUNE_USAGE, runFinetune } from './finetune';
import { runTrain, TRAIN_USAGE } from './train';

const USAGE = `usage: spikescope <command> [options]

commands:
  classify --model DIR [--backend gpu|cpu|auto] [--steps T] [--encoding rate|direct] [--seed N] [--json] [TEXT...]
           classify each TEXT (or each line of standard input)
  bench    [--json] [--quick]   time the engine: fused vs per-step, GPU vs CPU, bandwidth, latency
  ${TRAIN_USAGE}
  ${CONVERT_USAGE}
  ${EVAL_USAGE}
  ${FINETUNE_USAGE}
  help     this text`;

/** The command line. Every error ends as one line on stderr and a non-zero exit code. */
async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'classify':
      return runClassify(rest);
    case 'bench':
      return runBench(rest);
    case 'train':
      return runTrain(rest);
    case 'convert':
      return runConvert(rest);
    case 'eval':
      return runEval(rest);
    case 'finetune':
      return runFinetune(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`spikescope: ${describeError(error)}`);
    if (error instanceof UsageError) console.error(USAGE.split('\n')[0]);
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
