/** Error in a network the engine or the trainer cannot run; the message names the layer. */
export class UnsupportedNetworkError extends Error {
  override name = 'UnsupportedNetworkError';
}
