import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { pairedTestSync, type ProbeResults } from '@moral-plantain/stats';

const bin = path.join(import.meta.dirname, '..', 'bin', 'moral-plantain.js');
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

/** Real statistics of a small paired probe: 12 pairs x 64 units in two blocks, the first 8 units shifted. */
function probeResults(): ProbeResults {
  const nPairs = 12;
  const nUnits = 64;
  const shape = [nPairs, nUnits];
  const a = Float64Array.from({ length: nPairs * nUnits }, (_, i) => Math.sin(i * 1.7) + (i % nUnits < 8 ? 2 : 0));
  const b = Float64Array.from({ length: nPairs * nUnits }, (_, i) => Math.cos(i * 0.3));
  const groups = Array.from({ length: nUnits }, (_, u) => (u < 32 ? 'joint[0]' : 'single[0]'));
  const out = pairedTestSync({ a: { data: a, shape }, b: { data: b, shape } }, { permutations: 200, splits: 20, seed: 3, groups });
  if (E.isLeft(out)) throw new Error('statistics failed');
  return out.right.results;
}

function workdir(results: unknown, run?: unknown): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'mp-report-'));
  writeFileSync(path.join(dir, 'results.json'), JSON.stringify(results));
  if (run !== undefined) writeFileSync(path.join(dir, 'run.json'), typeof run === 'string' ? run : JSON.stringify(run));
  return dir;
}

const tinyRun = {
  model: { name: 'tiny FLUX.2', kind: 'tiny-seeded', architecture: 'FLUX.2', weightSeed: 1 },
  stimuli: { name: 'moral-plantain', language: 'en', pairs: 12, conditions: { a: 'helping', b: 'ignoring' } },
  protocol: { steps: 1, guidanceScale: 1, timestep: 1, seed: 0, unit: { width: 16, channels: 'all', count: 64 } },
};

describe('moral-plantain report', () => {
  it('leaves a README.md it did not write as it is (exit 2) unless --force, and rewrites its own report freely', () => {
    const dir = workdir(probeResults(), tinyRun);
    writeFileSync(path.join(dir, 'README.md'), '# My notes on this run\n');
    const refused = run('report', path.join(dir, 'results.json'));
    expect(refused.status).toBe(2);
    expect(refused.stderr).toBe(`error: README.md in ${dir} was not written by moral-plantain, or changed since: left as it is.\n  Give --out another folder, or --force to replace them.\n`);
    expect(readFileSync(path.join(dir, 'README.md'), 'utf8')).toBe('# My notes on this run\n');
    expect(readdirSync(dir).sort()).toEqual(['README.md', 'results.json', 'run.json']);
    expect(run('report', path.join(dir, 'results.json'), '--force').status).toBe(0);
    expect(readFileSync(path.join(dir, 'README.md'), 'utf8')).toMatch(/^---\nlanguage:/);
    // Now the report is ours (listed in outputs.json): rendering again needs no --force.
    const again = run('report', path.join(dir, 'results.json'));
    expect(again.stderr).toBe('');
    expect(again.status).toBe(0);
  });

  it('writes README.md, the CSV and the figures beside results.json, with the provenance from run.json', () => {
    const results = probeResults();
    const dir = workdir(results, tinyRun);
    const res = run('report', path.join(dir, 'results.json'));
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.stdout).toContain('the report is a pipeline check, not a finding');
    expect(readdirSync(dir).sort()).toEqual(['README.md', 'figures', 'outputs.json', 'results.json', 'run.json', 'unit-statistics.csv']);
    const readme = readFileSync(path.join(dir, 'README.md'), 'utf8');
    expect(readme.startsWith('---\nlanguage:\n  - en\nlicense: apache-2.0\n')).toBe(true);
    expect(readme).toContain('pipeline check, not a finding');
    const over3 = results.units.t.filter((t) => t !== null && Math.abs(t) > 3).length;
    expect(readme).toContain(`| units with \\|t\\| > 3 | ${over3} (${((100 * over3) / 64).toFixed(1)}%) |`);
    for (const figure of readdirSync(path.join(dir, 'figures'))) expect(readme).toContain(`(figures/${figure})`);
    expect(readFileSync(path.join(dir, 'unit-statistics.csv'), 'utf8').split('\r\n')).toHaveLength(66);
  });

  it('renders without run.json, says so, and writes into --out', () => {
    const dir = workdir(probeResults());
    const out = path.join(dir, 'card');
    const res = run('report', path.join(dir, 'results.json'), '--out', out, '--json');
    expect(res.status).toBe(0);
    const printed = JSON.parse(res.stdout) as { readme: string; figures: string[]; runRecord: string | null };
    expect(printed.readme).toBe(path.join(out, 'README.md'));
    expect(printed.runRecord).toBeNull();
    expect(printed.figures).toHaveLength(4);
    expect(readFileSync(printed.readme, 'utf8')).toContain('> **No run record.** These results came without a run.json');
  });

  it.each([
    ['a missing file', (dir: string) => path.join(dir, 'nope.json'), /Cannot read the results file .*nope\.json: it does not exist \(ENOENT\)/],
    ['bad JSON', (dir: string) => (writeFileSync(path.join(dir, 'bad.json'), '{"format":'), path.join(dir, 'bad.json')), /Cannot read the results file .*bad\.json: it is not valid JSON/],
    [
      'a results object with wrong fields',
      (dir: string) => (writeFileSync(path.join(dir, 'r.json'), JSON.stringify({ format: 'x', nPairs: 'two' })), path.join(dir, 'r.json')),
      /format must be "moral-plantain\/results@1" \(got "x"\); nPairs must be a non-negative integer; nUnits must be a non-negative integer/,
    ],
  ])('rejects %s with one clear error and exit code 2', (_name, make, message) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mp-report-'));
    const res = run('report', make(dir));
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(message);
    expect(res.stderr).not.toMatch(/\n\s+at /);
  });

  it('rejects an invalid run.json, naming the wrong fields', () => {
    const dir = workdir(probeResults(), { model: { name: 'm', kind: 'huge' } });
    const res = run('report', path.join(dir, 'results.json'));
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('model.kind must be one of "pretrained", "tiny-seeded", "random-init-control"');
    expect(res.stderr).toContain('Fix or remove run.json');
  });
});
