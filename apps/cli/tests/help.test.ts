import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const bin = path.join(import.meta.dirname, '..', 'bin', 'moral-plantain.js');
const { homepage } = JSON.parse(readFileSync(path.join(import.meta.dirname, '..', 'package.json'), 'utf8')) as { homepage?: string };
const DOCS = homepage ?? 'https://github.com/moral-plantain/moral-plantain#readme';

const COMMANDS = ['', 'run', 'stats', 'report', 'inspect', 'tap', 'model', 'model build', 'model info', 'model cache', 'model cache list', 'model cache remove', 'stimuli', 'stimuli list', 'stimuli show', 'stimuli validate', 'env', 'merge', 'sweep', 'sweep run', 'sweep task', 'sweep merge'];

describe('--help', () => {
  it.each(COMMANDS)('of "moral-plantain %s" shows examples that name the command, and the documentation link', (command) => {
    const res = spawnSync(process.execPath, [bin, ...command.split(' ').filter((w) => w !== ''), '--help'], { encoding: 'utf8' });
    expect(res.status).toBe(0);
    const examples = res.stdout.slice(res.stdout.indexOf('\nExamples:\n'));
    expect(examples).toMatch(/^\nExamples:\n {2}# \S.*\n {2}\$ /);
    expect(examples).toContain(`$ moral-plantain ${command}`.trimEnd());
    expect(res.stdout.trimEnd().split('\n').at(-1)).toBe(`Documentation: ${DOCS}`);
    expect(res.stdout).toMatch(/^ {2}-q, --quiet\s/m);
  });
});
