/** A command-line mistake (unknown flag, missing argument); printed with the usage line. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Error names whose message is meant for the person at the terminal, printed without a stack trace. */
const EXPECTED_ERRORS = new Set([
  'UsageError',
  'InputError',
  'ModelFormatError',
  'GpuUnavailableError',
  'GpuDeviceLostError',
  'GpuLimitError',
  'UnsupportedNetworkError',
  'CancelledError',
  'DataError',
  'ModelOutputError',
  'NirFormatError',
]);

/**
 * One line for any error: expected errors say what was wrong; anything else is reported as an
 * internal error (with the stack only when SPIKESCOPE_DEBUG is set).
 */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    if (EXPECTED_ERRORS.has(error.name)) return error.message;
    if (process.env.SPIKESCOPE_DEBUG) return error.stack ?? error.message;
    return `internal error: ${error.message.split('\n')[0]} (set SPIKESCOPE_DEBUG=1 for details)`;
  }
  return `internal error: ${String(error)}`;
}
