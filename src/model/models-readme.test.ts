import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const MODELS_DIR = 'public/models';

/** Where the shipped models' commands are listed, in `public/models/README.md`. */
const HEADING = 'Reproduce every model, then its card';

/**
 * The commands that made a model and its card, as its `model.json` records them, the last one's
 * `--out` set to the shipped folder (some were trained into a scratch folder and copied there).
 */
function commandsOf(name: string): string[] {
  const config = JSON.parse(readFileSync(join(MODELS_DIR, name, 'model.json'), 'utf8')) as {
    provenance?: { command?: string };
    metrics?: { finetune?: { command?: string }; evalCommands?: string[] };
  };
  const made = config.metrics?.finetune?.command && config.metrics.finetune.command !== config.provenance?.command ? [config.provenance?.command, config.metrics.finetune.command] : [config.provenance?.command];
  // The last command wrote the shipped folder; a fine-tuned model's training command keeps the folder its fine-tuning read.
  const steps = made.filter((c): c is string => !!c).map((command, i, all) => (i === all.length - 1 ? command.replace(/--out \S+/, `--out ${MODELS_DIR}/${name}`) : command));
  return [...steps, ...(config.metrics?.evalCommands ?? [])].map((command) => command.replace(/^spikescope /, 'npm run -s spikescope -- '));
}

describe('the models README', () => {
  it('lists the commands that made every shipped model and its card, as the cards record them', () => {
    const readme = readFileSync(join(MODELS_DIR, 'README.md'), 'utf8');
    const at = readme.indexOf(HEADING);
    expect(at, `public/models/README.md has a section starting "${HEADING}"`).toBeGreaterThan(-1);
    const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(at));
    expect(block).not.toBeNull();
    const listed = block![1].split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#'));
    const models = readdirSync(MODELS_DIR).filter((name) => existsSync(join(MODELS_DIR, name, 'model.json'))).sort();
    // A model fine-tuned from a shipped one shares its training command: it is listed once.
    const expected = [...new Set(models.flatMap(commandsOf))];
    expect(new Set(listed).size, 'no command is listed twice').toBe(listed.length);
    expect(listed.sort()).toEqual(expected.sort());
  });
});
