import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FAULT_STIMULI } from './fixtures/fault-run.js';

const bin = path.join(import.meta.dirname, '..', 'bin', 'moral-plantain.js');
const compare = path.join(import.meta.dirname, '..', '..', '..', 'tools', 'slurm', 'compare-sweep-folders.mjs');
const root = mkdtempSync(path.join(tmpdir(), 'mp-sweep-'));
/** The environment of a process that is not inside a job array. */
const bare = Object.fromEntries(Object.entries(process.env).filter(([key]) => key !== 'SLURM_ARRAY_TASK_ID' && key !== 'JOB_COMPLETION_INDEX'));

function cli(args: readonly string[], env: Record<string, string> = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: root, env: { ...bare, ...env } });
}

function cliAsync(args: readonly string[], env: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: root, env: { ...bare, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

function json(res: SpawnSyncReturns<string>): any {
  if (res.status !== 0) throw new Error(`exit ${res.status}: ${res.stderr}`);
  return JSON.parse(res.stdout);
}

// Two cells (the embedded tiny model, four pairs, seeds 0 and 1), two shards each: four tasks.
const sweepFile = path.join(root, 'sweep.yaml');
writeFileSync(
  sweepFile,
  ['name: check', 'models:', '  - name: tiny', `stimuli: [${JSON.stringify(FAULT_STIMULI)}]`, 'seeds: [0, 1]', 'settings:', '  permutations: 200', '  splits: 10', 'shards: 2', ''].join('\n'),
);
const local = path.join(root, 'local');
const jobs = path.join(root, 'jobs');
const plan = path.join(jobs, 'sweep-plan.json');

describe('moral-plantain sweep', () => {
  let localRun: any;
  let slurm: any;
  beforeAll(() => {
    localRun = json(cli(['sweep', sweepFile, '--out', local, '--json']));
    slurm = json(
      cli(['sweep', sweepFile, '--out', jobs, '--slurm', '--json', '--partition', 'gpu', '--time', '4:00:00', '--gpus', '1', '--mem', '64G', '--cpus-per-task', '8', '--max-parallel', '3', '--sbatch=--constraint=a100', '--merge-time', '0:30:00', '--merge-mem', '8G']),
    );
  }, 300_000);

  it('runs the cells here with one load of the model, and writes the sweep report', () => {
    expect(localRun.cells.map((c: { id: string; status: string }) => [c.id, c.status])).toEqual([
      [`tiny--fault-check--seed-0--default`, 'run'],
      [`tiny--fault-check--seed-1--default`, 'run'],
    ]);
    expect(localRun.loads).toEqual({ tiny: { transformer: 1, 'text-encoder': 1 } });
    expect(localRun.missing).toEqual([]);
    for (const file of ['README.md', 'sweep-results.json', 'sweep-cells.csv', 'figures/sweep-axes.svg', 'outputs.json', 'sweep-plan.json']) expect(existsSync(path.join(local, file)), file).toBe(true);
  });

  it('skips complete cells when run again', () => {
    const again = json(cli(['sweep', sweepFile, '--out', local, '--json']));
    expect(again.cells.map((c: { status: string }) => c.status)).toEqual(['complete', 'complete']);
    expect(again.loads).toEqual({ tiny: {} });
  }, 120_000);

  it('writes a job array with one task per cell shard, a merge job after it, and submit.sh', () => {
    expect(slurm).toMatchObject({ cells: 2, tasks: 4, shards: 2, submitted: null });
    const node = process.execPath;
    const tasks = readFileSync(slurm.files.tasks, 'utf8');
    expect(tasks).toBe(
      [
        '#!/bin/bash',
        '# moral-plantain sweep "check": 4 tasks (2 cells x 2 shards), one per array index.',
        "# Each task computes one shard of one cell into the cell folder's cache; a retried task computes",
        '# only what is missing. Submit with submit.sh, which queues merge.sbatch after every task succeeded.',
        '#SBATCH --job-name=check',
        '#SBATCH --array=0-3%3',
        `#SBATCH --output=${jobs}/logs/task-%A_%a.out`,
        '#SBATCH --partition=gpu',
        '#SBATCH --time=4:00:00',
        '#SBATCH --cpus-per-task=8',
        '#SBATCH --mem=64G',
        '#SBATCH --gpus=1',
        '#SBATCH --constraint=a100',
        'set -euo pipefail',
        `exec ${node} ${bin} sweep task ${plan}`,
        '',
      ].join('\n'),
    );
    const merge = readFileSync(slurm.files.merge, 'utf8');
    expect(merge).toContain('#SBATCH --job-name=check-merge\n');
    expect(merge).toContain('#SBATCH --partition=gpu\n#SBATCH --time=0:30:00\n#SBATCH --mem=8G\n');
    expect(merge).not.toContain('--gpus');
    expect(merge).toContain(`exec ${node} ${bin} sweep merge ${plan}\n`);
    const submit = readFileSync(slurm.files.submit, 'utf8');
    expect(submit).toContain(`tasks=$(sbatch --parsable ${slurm.files.tasks})`);
    expect(submit).toContain(`merge=$(sbatch --parsable --dependency=afterok:"$tasks" ${slurm.files.merge})`);
    expect(existsSync(path.join(jobs, 'logs'))).toBe(true);
  });

  it('runs each task from its index (SLURM, Kubernetes or --index), a task twice at once safely, and merges to what the local run wrote', async () => {
    const [slurmTask, twice, again, indexed] = await Promise.all([
      cliAsync(['sweep', 'task', plan, '--json'], { SLURM_ARRAY_TASK_ID: '0' }),
      cliAsync(['sweep', 'task', plan, '--json'], { JOB_COMPLETION_INDEX: '1' }),
      cliAsync(['sweep', 'task', plan, '--json'], { JOB_COMPLETION_INDEX: '1' }),
      cliAsync(['sweep', 'task', plan, '--index', '2', '--json']),
    ]);
    for (const res of [slurmTask, twice, again, indexed]) expect(res.status, res.stderr).toBe(0);
    expect(JSON.parse(slurmTask.stdout).task).toEqual({ index: 0, cell: 'tiny--fault-check--seed-0--default', shard: { index: 1, count: 2 } });
    expect(JSON.parse(twice.stdout).task.shard).toEqual({ index: 2, count: 2 });
    expect(twice.stderr).toContain('task 1 (from JOB_COMPLETION_INDEX) of 4');
    // The merge job runs after the last task: merging now finds a shard missing and says which.
    const early = cli(['sweep', 'merge', plan]);
    expect(early.status).toBe(2);
    expect(early.stderr).toContain('error: Cell tiny--fault-check--seed-1--default: Shard 2/2 of 2 is missing from');
    expect(cli(['sweep', 'task', plan], { SLURM_ARRAY_TASK_ID: '3' }).status).toBe(0);
    // One cell merged with the merge command, the other by the merge job.
    const cell0 = path.join(jobs, 'cells', 'tiny--fault-check--seed-0--default');
    expect(json(cli(['merge', cell0, '--json']))).toMatchObject({ shards: 2, tinyModel: true, prompts: { total: 8, computed: 8, cached: 0 } });
    expect(json(cli(['sweep', 'merge', plan, '--json']))).toMatchObject({ merged: ['tiny--fault-check--seed-1--default'], complete: ['tiny--fault-check--seed-0--default'], missing: [] });
    const same = spawnSync(process.execPath, [compare, local, jobs], { encoding: 'utf8' });
    expect(same.stderr).toBe('');
    expect(same.stdout).toContain('same: the sweep report (4 files) and 2 cells');
  }, 300_000);

  it("reports each cell's numbers as its results.json has them", () => {
    const results = JSON.parse(readFileSync(path.join(jobs, 'sweep-results.json'), 'utf8'));
    const readme = readFileSync(path.join(jobs, 'README.md'), 'utf8');
    for (const cell of results.cells) {
      const own = JSON.parse(readFileSync(path.join(jobs, 'cells', cell.id, 'results.json'), 'utf8'));
      const [t3, t5] = [3, 5].map((v) => own.thresholds.find((t: { stat: string; value: number }) => t.stat === 't' && t.value === v));
      expect([cell.t3, cell.t3Ratio, cell.t5, cell.t5Ratio, cell.splitHalf]).toEqual([t3.fraction, t3.ratioToNullP99, t5.fraction, t5.ratioToNullP99, own.splitHalf.median]);
      const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
      expect(readme).toContain(`| \`${cell.id}\` | moral valence | tiny | ${cell.seed} | ${pct(t3.fraction)} | `);
    }
    const mean = (key: string) => (results.cells[0][key] + results.cells[1][key]) / 2;
    expect(results.rows[0].measures.t3.mean).toBeCloseTo(mean('t3'), 15);
    expect(results.rows[0].measures.splitHalf.mean).toBeCloseTo(mean('splitHalf'), 15);
  });

  it('refuses a bad sweep file, a task index out of range and --submit without --slurm, each with one clear error', () => {
    const bad = path.join(root, 'bad.yaml');
    writeFileSync(bad, 'models:\n  - name: Tiny\n    path: nowhere\nstimuli: [no-such-set]\nseeds: [-1]\nsettings:\n  seed: 3\n  permutations: x\n');
    const res = cli(['sweep', bad]);
    expect(res.status).toBe(2);
    expect(res.stderr).toContain(`error: The sweep file ${bad} has 6 problems: models[0].name must be lower-case letters, digits, dots, hyphens or underscores, got "Tiny"; models[0].path ${path.join(root, 'nowhere')} does not exist;`);
    expect(res.stderr).toContain('settings.seed is set per cell by the sweep');
    const out = cli(['sweep', 'task', plan], { JOB_COMPLETION_INDEX: '4' });
    expect(out.status).toBe(2);
    expect(out.stderr).toContain('error: No task to run: JOB_COMPLETION_INDEX is "4", and the plan has tasks 0 to 3.');
    expect(cli(['sweep', 'task', plan]).stderr).toContain('no --index was given and neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX is set');
    expect(cli(['sweep', sweepFile, '--submit']).stderr).toContain('error: --submit submits SLURM jobs: it needs --slurm.');
    expect(cli(['sweep', sweepFile, '--gpus', '1', '--time', '1:00:00']).stderr).toContain('error: --time, --gpus apply to SLURM jobs: they need --slurm.');
  }, 120_000);
});

describe('moral-plantain run --shard and merge', () => {
  it('computes one shard into the folder, and merge refuses shards of different settings', () => {
    const dir = path.join(root, 'shards');
    const first = json(cli(['run', '--stimuli', FAULT_STIMULI, '--out', dir, '--shard', '1/2', '--permutations', '200', '--splits', '10', '--json']));
    expect(first).toMatchObject({ shard: { index: 1, count: 2 }, batches: { first: 0, end: 4, total: 8 }, prompts: { total: 4, computed: 4, cached: 0 }, tinyModel: true });
    expect(existsSync(path.join(dir, 'results.json'))).toBe(false);
    // With shard 2/2 of the sweep's seed-1 cell: the same settings but the seed.
    const merged = cli(['merge', dir, path.join(jobs, 'cells', 'tiny--fault-check--seed-1--default'), '--out', path.join(root, 'mixed')]);
    expect(merged.status).toBe(2);
    expect(merged.stderr).toContain('error: The shards are of different runs and cannot be merged: seed: 0 vs 1; protocol.seed: 0 vs 1 (');
    expect(merged.stderr).toContain('Merge only the shards of one run');
    expect(existsSync(path.join(root, 'mixed', 'results.json'))).toBe(false);
    expect(cli(['run', '--shard', '3/2']).stderr).toContain('error: shard must be i/n with 1 <= i <= n <= 100000 (e.g. 2/4), got "3/2".');
    expect(cli(['merge', dir, dir + '-other']).stderr).toContain('error: merge was given 2 folders and no --out.');
  }, 300_000);
});
