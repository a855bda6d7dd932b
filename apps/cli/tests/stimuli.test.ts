import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const cliRoot = path.join(import.meta.dirname, '..');

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['bin/moral-plantain.js', ...args], { cwd: cliRoot, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const BROKEN = `format: moral-plantain/stimuli@1
name: broken
version: 1.0.0
axis: test
description: A set with problems.
conditions: { a: helping, b: ignoring }
language: en
license: Apache-2.0
pairs:
  - id: p-1
    category: care
    scene: park
    agents: [boy]
    a: A boy comforting a lost puppy in the park.
    b: A boy completely ignoring a lost puppy in the garden.
  - id: p-1
    category: care
    scene: shop
    agents: [cashier]
    a: A cashier handing back the change.
    b: A cashier pocketing the change.
`;

function brokenFile(): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'cli-stimuli-')), 'broken.yaml');
  writeFileSync(file, BROKEN);
  return file;
}

describe('moral-plantain stimuli', () => {
  it('lists the built-in sets', () => {
    const { status, stdout } = cli('stimuli', 'list', '--json');
    expect(status).toBe(0);
    const rows = JSON.parse(stdout) as { name: string; pairs: number; example: boolean; hash: string }[];
    expect(rows.map((r) => [r.name, r.pairs, r.example])).toEqual([
      ['moral-plantain', 25, false],
      ['perspective-taking', 25, false],
      ['self-reference', 25, false],
      ['post-event-categorization', 25, false],
      ['physical-scale', 4, true],
    ]);
    expect(rows[0]?.hash).toMatch(/^[0-9a-f]{64}$/u);
    expect(cli('stimuli', 'list').stdout).toMatch(/moral-plantain\s+1\.1\.0\s+moral valence\s+25\s+experiment/u);
  });

  it('shows a built-in set with every pair', () => {
    const { status, stdout } = cli('stimuli', 'show', 'moral-plantain', '--json');
    expect(status).toBe(0);
    const set = JSON.parse(stdout) as { name: string; pairs: { id: string }[]; hash: string };
    expect(set.pairs).toHaveLength(25);
    const text = cli('stimuli', 'show', 'physical-scale').stdout;
    expect(text).toContain('(example set)');
    expect(text).toContain('  neutral: A photo of a child in a blue coat holding a red balloon in a city park.');
    expect(text).toContain('  a: A photo of a child in a blue coat holding a huge red balloon in a city park.');
  });

  it('validates the built-in set with the real Qwen3 tokenizer and exits 0', () => {
    const { status, stdout } = cli('stimuli', 'validate', 'moral-plantain');
    expect(status).toBe(0);
    expect(stdout).toContain('tokenizer qwen3');
    expect(stdout).toMatch(/pa-01\s+physical-assistance\s+36\s+36\s+48/u);
    expect(stdout).toContain('No problems found.');
  });

  it('prints a table of every problem with file, line and column, and exits 2', () => {
    const file = brokenFile();
    const { status, stdout, stderr } = cli('stimuli', 'validate', file);
    expect(status).toBe(2);
    expect(stdout).toMatch(/broken\.yaml:15:8\s+p-1\s+error\s+multiple-spans/u);
    expect(stdout).toMatch(/broken\.yaml:15:8\s+p-1\s+error\s+token-count-mismatch/u);
    expect(stdout).toMatch(/broken\.yaml:16:9\s+p-1\s+error\s+duplicate-id/u);
    expect(stderr).toContain('error: 3 errors in stimulus set broken.');
    expect(stderr).not.toMatch(/\bat .*\.js:\d+/u);
  });

  it('gives the report as JSON with --json, still exiting 2', () => {
    const { status, stdout } = cli('stimuli', 'validate', brokenFile(), '--json');
    expect(status).toBe(2);
    const report = JSON.parse(stdout) as { tokenCounter: string; problems: { code: string; location: { line: number } }[] };
    expect(report.tokenCounter).toBe('qwen3');
    expect(report.problems.map((p) => [p.code, p.location.line])).toEqual([
      ['multiple-spans', 15],
      ['token-count-mismatch', 15],
      ['duplicate-id', 16],
    ]);
  });

  it('warns instead of failing on design problems with --no-strict', () => {
    // Character counts differ within most moral-plantain pairs (their Qwen3 token counts do not).
    const { status, stdout } = cli('stimuli', 'validate', 'moral-plantain', '--tokenizer', 'chars', '--no-strict');
    expect(status).toBe(0);
    expect(stdout).toContain('tokenizer chars');
    expect(stdout).toMatch(/warning\s+token-count-mismatch/u);
    expect(stdout).toMatch(/0 error\(s\), [1-9]\d* warning\(s\)/u);
    expect(cli('stimuli', 'validate', 'moral-plantain', '--tokenizer', 'chars').status).toBe(2);
  });

  it('reports a set that cannot be loaded with its locations', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'cli-stimuli-')), 'bad.yaml');
    writeFileSync(file, BROKEN.replace('version: 1.0.0\n', '').replace('scene: shop', 'scene: 7'));
    const { status, stdout, stderr } = cli('stimuli', 'validate', file);
    expect(status).toBe(2);
    expect(stdout).toMatch(/bad\.yaml:1:1\s+-\s+error\s+missing-field/u);
    expect(stdout).toMatch(/bad\.yaml:17:12\s+-\s+error\s+wrong-type/u);
    expect(stderr).toContain('2 problems in');
  });

  it('explains a missing file and a bad tokenizer name without a stack trace', () => {
    const missing = cli('stimuli', 'validate', 'no-such-set.yaml');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('error: Cannot read the stimulus set "no-such-set.yaml"');
    expect(missing.stderr).toContain('built-in set name (moral-plantain, perspective-taking, self-reference, post-event-categorization, physical-scale)');
    const badTokenizer = cli('stimuli', 'validate', 'moral-plantain', '--tokenizer', 'gpt2');
    expect(badTokenizer.status).toBe(2);
    expect(badTokenizer.stderr).toContain("Allowed choices are qwen3, chars, words");
  });
});
