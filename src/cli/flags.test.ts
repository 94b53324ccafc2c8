import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { commandLine } from './flags';

describe('the recorded command line', () => {
  it('quotes an argument a shell would split or expand, so that the command can be pasted and run again', () => {
    const argv = ['--dataset', 'mr', '--name', 'MR TextCNN (IF; rate at μ ± 1σ)', '--out', 'public/models/x', '--lr', '1e-3', '--steps', '4,8,16', '--text', "it's"];
    const line = commandLine('train', argv);
    expect(line).toBe(`spikescope train --dataset mr --name 'MR TextCNN (IF; rate at μ ± 1σ)' --out public/models/x --lr 1e-3 --steps 4,8,16 --text 'it'\\''s'`);
    // A shell reads back exactly the arguments that were given.
    const echoed = execFileSync('sh', ['-c', `printf '%s\\n' ${line.replace(/^spikescope train /, '')}`], { encoding: 'utf8' });
    expect(echoed.trimEnd().split('\n')).toEqual(argv);
    expect(commandLine('eval', ['--model', 'public/models/mr-textcnn', '--steps', '8,16', '--write'])).toBe('spikescope eval --model public/models/mr-textcnn --steps 8,16 --write');
  });
});
