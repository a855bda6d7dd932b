import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eachSideBySide, expectWholeOrAbsent, faultRun, publishedSet } from './fixtures/fault-run.js';

const bin = path.join(import.meta.dirname, '..', 'bin', 'moral-plantain.js');
const killAt = path.join(import.meta.dirname, 'fixtures', 'kill-at.mjs');
const dir = mkdtempSync(path.join(tmpdir(), 'mp-patch-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A patch small enough for a test: the top 3 units against 3 random sets, on the run's 4 pairs. */
const SMALL = ['--k', '3', '--sets', '3'];
const patch = (...args: string[]) => spawnSync(process.execPath, [bin, 'patch', ...args], { encoding: 'utf8' });
const run = path.join(dir, 'run');
const done = path.join(dir, 'done');
let reference: Record<string, string>;
let summary: { tinyModel: boolean; pairs: unknown; samples: number; effects: { k: number; mode: string; fraction: number }[] };
let operations: string[];

/** `patch` on `out` with SMALL and `--json` under kill-at.mjs (counting, or killing at an operation, per `env`). */
function patchAsync(out: string, env: Record<string, string>): Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', killAt, bin, 'patch', out, ...SMALL, '--json'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
}

function copyOfRun(out: string): void {
  rmSync(out, { recursive: true, force: true });
  cpSync(run, out, { recursive: true });
}

describe('moral-plantain patch', () => {
  beforeAll(async () => {
    const probed = faultRun(run);
    expect(probed.status, probed.stderr).toBe(0);
    copyOfRun(done);
    // The reference patch also lists its file operations, for the kills below.
    const log = path.join(dir, 'operations.log');
    const patched = await patchAsync(done, { KILL_ROOT: done, KILL_LOG: log });
    expect(patched.status, patched.stderr).toBe(0);
    summary = JSON.parse(patched.stdout);
    reference = publishedSet(done);
    operations = readFileSync(log, 'utf8').trimEnd().split('\n');
  }, 180_000);

  it('writes patch.json, the CSV, the figure and the Causal test section, and prints a JSON summary', () => {
    for (const file of ['patch.json', 'patch-effects.csv', 'figures/patch-dose-response.svg']) expect(reference[file], file).toBeDefined();
    expect(readFileSync(path.join(done, 'README.md'), 'utf8')).toContain('## Causal test');
    expect(summary).toMatchObject({ tinyModel: true, pairs: { total: 4, computed: 4, cached: 0 }, samples: 4 * (2 + 4 * 2), effects: [{ k: 3, mode: 'match' }] });
    expect(typeof summary.effects[0]!.fraction).toBe('number');
  });

  it('prints the effects as a table on a rerun from the cache, which writes the same files', () => {
    const text = patch(done, ...SMALL);
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/4 pairs \(0 patched, 4 from the cache\)/);
    expect(text.stdout).toMatch(/top 3 by \|t\| +RMS matched/);
    expect(text.stdout).toContain('this is the tiny seeded model');
    expect(text.stderr).toContain('embedded TINY FLUX.2-architecture model');
    expect(publishedSet(done)).toEqual(reference);
  }, 60_000);

  it('stops with one clear sentence and exit 2 on bad input', () => {
    const noActivations = path.join(dir, 'no-activations');
    copyOfRun(noActivations);
    rmSync(path.join(noActivations, 'activations.safetensors'));
    const cases: [string[], RegExp][] = [
      [[noActivations], /no-activations has no activations \(activations\.safetensors\)/],
      [[path.join(dir, 'nowhere')], /nowhere is not the folder of a finished run: there is no such folder/],
      [[done, '--k', '3,100'], /k = 100 is larger than the 72 units with a defined t/],
      [[done, '--units', '5,99'], /Unit 99 does not exist: the run has 72 units, numbered 0 to 71/],
      [[done, '--k', '3', '--fwer'], /Give only one of k and fwer: each selects the units to patch/],
      [[done, '--fwer', '0.05'], /No unit has a FWER p below 0.05/],
      [[done, '--sets', 'many'], /Sets must be a whole number from 1 to 1000000, got "many"/],
    ];
    for (const [args, expected] of cases) {
      const res = patch(...args);
      expect(res.status, args.join(' ')).toBe(2);
      expect(res.stderr).toMatch(expected);
      expect(res.stderr).not.toMatch(/\n\s+at /);
    }
  }, 60_000);

  it('killed with -9 while it patches or publishes, leaves the run whole, and its rerun gives the same files', async () => {
    // A kill in a pair's cache entry, in the staged set, after the set is sealed, and at outputs.json.
    const kinds = [/ \.cache\/patch\/\.[0-9a-f]+\.json\.\d+\.[0-9a-f]+\.tmp$/, / \.outputs-next\/patch\.json$/, /^\d+ rename patch\.json$/, /^\d+ rename outputs\.json$/];
    const points = kinds.map((kind) => Number(operations.find((line) => kind.test(line))?.split(' ')[0]));
    expect(points.every(Number.isInteger), operations.join('\n')).toBe(true);
    const before = publishedSet(run);
    await eachSideBySide(points, async (point, slot) => {
      const out = path.join(dir, `kill-${slot}`);
      copyOfRun(out);
      const killed = await patchAsync(out, { KILL_ROOT: out, KILL_AT: String(point) });
      expect(killed.signal, `kill at operation ${point}`).toBe('SIGKILL');
      expect(await expectWholeOrAbsent(out)).toBe('whole');
      const seen = JSON.stringify(publishedSet(out));
      expect(seen === JSON.stringify(before) || seen === JSON.stringify(reference), `after a kill at operation ${point} the folder mixes the two sets`).toBe(true);
      const rerun = await patchAsync(out, {});
      expect(rerun.status, `rerun after a kill at operation ${point}: ${rerun.stderr}`).toBe(0);
      expect(publishedSet(out)).toEqual(reference);
      expect(existsSync(path.join(out, '.moral-plantain.lock'))).toBe(false);
    });
  }, 300_000);
});
