import { runBench } from './bench';
import { runClassify } from './classify';
import { describeError, UsageError } from './errors';
import { CONVERT_USAGE, runConvert } from './convert';
import { EVAL_USAGE, runEval } from './eval';
import { FINETUNE_USAGE, runFinetune } from './finetune';
import { NIR_USAGE, runNirCommand } from './nir';
import { runTrain, TRAIN_USAGE } from './train';

const USAGE = `usage: spikescope <command> [options]

commands:
  classify --model DIR [--backend gpu|cpu|auto] [--steps T] [--encoding rate|direct] [--seed N] [--json] [TEXT...]
           classify each TEXT (or each line of standard input)
  bench    [--json] [--quick] [--backends gpu,wasm,reference]   time every backend: GFLOP/s, the dense GEMM, the event-driven crossover, bandwidth, latency
  ${TRAIN_USAGE}
  ${CONVERT_USAGE}
  ${EVAL_USAGE}
  ${FINETUNE_USAGE}
  ${NIR_USAGE}
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
    case 'nir':
      return runNirCommand(rest);
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

/**
 * Ends the process with `code` once everything written to stdout and stderr has been handed to the
 * operating system. A pipe takes 64 KB at a time: exiting at once would cut off the rest of the
 * output (`spikescope classify --json … | wc -c`). The explicit exit then ends the process even if
 * a GPU device still holds the event loop.
 */
function exitWhenFlushed(code: number): void {
  process.exitCode = code;
  const streams = [process.stdout, process.stderr];
  let pending = streams.length;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  for (const stream of streams) {
    if (stream.destroyed || !stream.writable) done();
    else stream.write('', () => done());
  }
}

/**
 * Whether a command's result is a file (a model folder, a card, a graph): its progress lines are
 * only a report, so a reader that stops early must not stop the work, only the lines.
 */
function writesFiles(argv: readonly string[]): boolean {
  const [command, sub] = argv;
  return command === 'train' || command === 'finetune' || command === 'convert' || (command === 'eval' && argv.includes('--write')) || (command === 'nir' && (sub === 'export' || sub === 'import'));
}

// A reader that stops early (`| head`) closes the pipe: stop quietly, as other command-line tools do;
// a command that writes files goes on without its progress lines and finishes its files.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    if (!writesFiles(process.argv.slice(2))) process.exit(process.exitCode ?? 0);
    if (stream === process.stdout) console.log = console.info = () => {};
    else console.error = console.warn = () => {};
  });
}

main(process.argv.slice(2)).then(
  (code) => exitWhenFlushed(code),
  (error: unknown) => {
    console.error(`spikescope: ${describeError(error)}`);
    if (error instanceof UsageError) console.error(USAGE.split('\n')[0]);
    exitWhenFlushed(error instanceof UsageError ? 2 : 1);
  },
);
