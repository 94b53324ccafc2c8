/** The command line's flag parsing, shared by every command: one parser, one kind of error. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parses `argv` against `options` (strict: unknown flags are a `UsageError` naming them). */
export function parseFlags<const O extends Options, const P extends boolean = false>(argv: string[], options: O, allowPositionals?: P) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: (allowPositionals ?? false) as P, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Parses a whole number flag within bounds. */
export function integerFlag(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < min || number > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got '${value}'`);
  return number;
}

/**
 * The command line that ran, as a shell would need it typed again: `spikescope <command>` and each
 * argument, single-quoted where it holds anything but letters, digits and `-_./,:=+@%` (a model name
 * with spaces, a path with a quote), so that a card's recorded command can be pasted and run.
 */
export function commandLine(command: string, argv: readonly string[]): string {
  const quote = (arg: string) => (/^[\w\-./,:=+@%]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`);
  return [`spikescope ${command}`, ...argv.map(quote)].join(' ');
}

/** One of a flag's named choices, or `fallback` when the flag is absent; anything else is a `UsageError`. */
export function choiceFlag<const C extends string>(name: string, value: string | undefined, choices: readonly C[], fallback: C): C {
  if (value === undefined) return fallback;
  if ((choices as readonly string[]).includes(value)) return value as C;
  throw new UsageError(`--${name} must be ${choices.slice(0, -1).join(', ')} or ${choices[choices.length - 1]}, got '${value}'`);
}
