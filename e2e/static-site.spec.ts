import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { expect, test, waitForResult } from './app';
import { SITE_DIR, TEST_MODEL_URL } from './test-model';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/**
 * A plain static file server (no SPA fallback, no rewriting) that serves the built site under a
 * sub-path, as a person would put it on any web host.
 */
function staticServer(prefix: string): Server {
  return createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    if (!path.startsWith(prefix)) return void response.writeHead(404).end('not found');
    let file = normalize(join(SITE_DIR, path.slice(prefix.length)));
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!file.startsWith(normalize(SITE_DIR)) || !existsSync(file)) return void response.writeHead(404).end('not found');
    response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(response);
  });
}

test.describe('the built site', () => {
  let server: Server;
  let origin = '';
  test.beforeAll(async () => {
    server = staticServer('/some/sub/path/');
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  test.afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('works from a plain static file server, under any path', async ({ page }) => {
    await page.goto(`${origin}/some/sub/path/?model=${TEST_MODEL_URL}&text=fine`);
    await waitForResult(page, 'fine');
    await expect(page.getByTestId('snn-label')).toHaveText(/^(negative|positive)$/);
  });

  test('a model folder that is not there gets a clear message', async ({ page }) => {
    await page.goto(`${origin}/some/sub/path/?model=models/missing`);
    await expect(page.getByTestId('model-error')).toContainText('The model could not be loaded');
    await expect(page.getByTestId('model-error')).toContainText('HTTP 404');
  });

  test('no request leaves the page: only its own files are fetched', async ({ page }) => {
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    await page.goto(`${origin}/some/sub/path/?model=${TEST_MODEL_URL}&text=${encodeURIComponent('a warm and funny film')}`);
    await waitForResult(page, 'a warm and funny film');
    await page.getByRole('tab', { name: 'Energy' }).click();
    await page.getByRole('tab', { name: 'Batch' }).click();
    const foreign = requested.filter((url) => !url.startsWith(`${origin}/some/sub/path/`) && !url.startsWith('data:') && !url.startsWith('blob:'));
    expect(foreign).toEqual([]);
    expect(requested.some((url) => url.endsWith('/models/test-random/weights.safetensors'))).toBe(true);
  });
});
