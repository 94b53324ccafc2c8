import { describe, expect, it } from 'vitest';
import { ModelFormatError } from '../model/safetensors';
import { fetchModel, readCapped } from './model-loader';

function streamed(chunks: number[], headers: Record<string, string> = {}): Response {
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent === chunks.length) controller.close();
      else controller.enqueue(new Uint8Array(chunks[sent++]));
    },
  });
  return new Response(body, { headers });
}

describe('model downloads', () => {
  it('reads a body within the limit', async () => {
    expect((await readCapped(streamed([3, 4, 5]), 12, 'model.json')).length).toBe(12);
  });

  it('refuses a body over the limit, by its Content-Length or while it streams', async () => {
    await expect(readCapped(streamed([1], { 'content-length': '1000000000' }), 1000, 'weights.safetensors')).rejects.toThrow(
      /^weights\.safetensors: is 1000000000 bytes, more than the 1000-byte limit/,
    );
    // No Content-Length: stopped once past the limit, without reading the rest.
    let pulled = 0;
    const endless = new Response(new ReadableStream<Uint8Array>({ pull: (controller) => (pulled++, controller.enqueue(new Uint8Array(1024))) }));
    await expect(readCapped(endless, 10_000, 'weights.safetensors')).rejects.toThrow(/is over 10000 bytes/);
    expect(pulled).toBeLessThan(20);
  });

  it('refuses model folders that are not http(s) on the page’s origin, before fetching', async () => {
    const origin = 'https://spikescope.example';
    for (const [url, message] of [
      ['https://evil.example/models/x', /on another site \(https:\/\/evil\.example\)/],
      ['data:application/json,{}', /only http\(s\) model folders/],
      ['not a url', /it is not a URL/],
    ] as const) {
      const error = await fetchModel(url, origin).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ModelFormatError);
      expect((error as Error).message).toMatch(message);
    }
  });
});
