/**
 * Playwright global setup: writes the deterministic random test model into the built site
 * (`dist/app/models/test-random/`) before any browser test runs.
 */
import { ensureTestModel } from './test-model';

export default async function globalSetup(): Promise<void> {
  await ensureTestModel();
}
