import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const bin = path.join(import.meta.dirname, '..', 'bin', 'moral-plantain.js');
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

describe('the moral-plantain binary', () => {
  it('lists its commands with --help', () => {
    const res = run('--help');
    expect(res.status).toBe(0);
    for (const command of ['stats', 'stimuli']) expect(res.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
  });

  it('prints its package version', () => {
    const { version } = JSON.parse(readFileSync(path.join(import.meta.dirname, '..', 'package.json'), 'utf8'));
    expect(run('--version').stdout.trim()).toBe(version);
  });

  it('stops quietly when its output is piped into a reader that quits early', () => {
    // `true` exits without reading, so every write of the CLI meets a closed pipe.
    const res = spawnSync('sh', ['-c', `"${process.execPath}" "${bin}" stimuli show moral-plantain | true`], { encoding: 'utf8' });
    expect(res.stderr).toBe('');
  });

  it('refuses an unknown command with exit code 2', () => {
    const res = run('frobnicate');
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/unknown command 'frobnicate'/);
  });
});
