import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseSweepSpec, planSweep, slurmScripts, sweepTaskIndex, type SweepSpec } from '../src/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mp-sweep-plan-'));
mkdirSync(path.join(dir, 'models', 'klein'), { recursive: true });
mkdirSync(path.join(dir, 'models', 'klein-random'), { recursive: true });
const file = path.join(dir, 'axes.yaml');

function spec(text: string, out?: string): SweepSpec {
  const parsed = parseSweepSpec(parse(text), file, out);
  if (E.isLeft(parsed)) throw new Error(parsed.left.join('; '));
  return parsed.right;
}

const AXES = `
models:
  - name: klein
    path: models/klein
  - name: klein-random
    path: models/klein-random
    control-for: klein
stimuli: [moral-plantain, perspective-taking]
seeds: [0, 7]
units:
  - name: all
  - name: attention
    channels: "0:3072"
settings:
  device: cuda
  permutations: 10000
shards: 3
`;

describe('a sweep plan', () => {
  it('has one cell per model x unit definition x stimulus set x seed, each with its settings and folder', () => {
    const plan = planSweep(spec(AXES));
    expect(plan.name).toBe('axes');
    expect(plan.dir).toBe(path.join(dir, 'axes-out'));
    expect(plan.cells).toHaveLength(16);
    expect(plan.cells.slice(0, 5).map((c) => c.id)).toEqual([
      'klein--moral-plantain--seed-0--all',
      'klein--moral-plantain--seed-7--all',
      'klein--perspective-taking--seed-0--all',
      'klein--perspective-taking--seed-7--all',
      'klein--moral-plantain--seed-0--attention',
    ]);
    const cell = plan.cells.find((c) => c.id === 'klein-random--perspective-taking--seed-7--attention')!;
    expect(cell.model).toEqual({ name: 'klein-random', path: path.join(dir, 'models', 'klein-random'), controlFor: 'klein' });
    expect(cell.settings).toMatchObject({ model: path.join(dir, 'models', 'klein-random'), stimuli: 'perspective-taking', seed: 7, device: 'cuda', permutations: 10_000, unitWidth: 16, channels: { start: 0, end: 3072 }, shard: null, out: path.join(dir, 'axes-out', 'cells', cell.id) });
  });

  it('numbers its tasks cell by cell, shard by shard, as the array indices of a job array', () => {
    const plan = planSweep(spec(AXES));
    expect(plan.tasks).toHaveLength(48);
    expect(plan.tasks[4]).toEqual({ index: 4, cell: 'klein--moral-plantain--seed-7--all', shard: { index: 2, count: 3 } });
    expect(plan.tasks.every((t, i) => t.index === i && plan.cells[Math.floor(i / 3)]!.id === t.cell && t.shard.index === (i % 3) + 1)).toBe(true);
  });

  it('takes the folder from --out over the file, and defaults seeds, units and shards', () => {
    const plan = planSweep(spec('models: [{ name: tiny }]\nstimuli: [self-reference]\n', 'elsewhere'));
    expect(plan.dir).toBe(path.resolve('elsewhere'));
    expect(plan.cells.map((c) => c.id)).toEqual(['tiny--self-reference--seed-0--default']);
    expect(plan.cells[0]!.settings.model).toBeNull();
    expect(plan.tasks).toEqual([{ index: 0, cell: 'tiny--self-reference--seed-0--default', shard: { index: 1, count: 1 } }]);
  });

  it('reports every problem of a sweep file at once, each naming its key', () => {
    const problems = parseSweepSpec(parse('name: Axes\nmodels:\n  - name: a\n    control-for: b\n  - name: a\nstimuli: []\nseeds: [1, 1]\nunits: [{ name: u, unit-width: 0 }]\nsettings: { out: x, batch-size: 0 }\nshards: 0\nextra: 1\n'), file);
    expect(E.isLeft(problems) && problems.left).toEqual([
      'unknown key extra (known: format, name, out, models, stimuli, seeds, units, settings, shards)',
      'name must be lower-case letters, digits, dots, hyphens or underscores, got "Axes"',
      'models repeats "a"',
      'models[0].control-for names no other model of the sweep: "b"',
      'stimuli must be a non-empty list',
      'seeds repeats "1"',
      'units[0].unit-width must be a whole number from 1 to 1048576, got "0"',
      'settings.out is set per cell by the sweep (models, stimuli, seeds, units) and cannot be shared',
      'settings.batch-size must be a whole number from 1 to 1024, got "0"',
      'shards must be a whole number from 1 to 100000, got "0"',
    ]);
  });
});

describe('the task index', () => {
  it('comes from --index, else SLURM_ARRAY_TASK_ID, else JOB_COMPLETION_INDEX, and must name a task', () => {
    expect(sweepTaskIndex('2', { SLURM_ARRAY_TASK_ID: '1' }, 4)).toEqual(E.right({ index: 2, source: '--index' }));
    expect(sweepTaskIndex(undefined, { SLURM_ARRAY_TASK_ID: '1', JOB_COMPLETION_INDEX: '3' }, 4)).toEqual(E.right({ index: 1, source: 'SLURM_ARRAY_TASK_ID' }));
    expect(sweepTaskIndex(undefined, { JOB_COMPLETION_INDEX: '3' }, 4)).toEqual(E.right({ index: 3, source: 'JOB_COMPLETION_INDEX' }));
    expect(E.isLeft(sweepTaskIndex(undefined, { JOB_COMPLETION_INDEX: '4' }, 4))).toBe(true);
    expect(E.isLeft(sweepTaskIndex('-1', {}, 4))).toBe(true);
    expect(E.isLeft(sweepTaskIndex(undefined, {}, 4))).toBe(true);
  });
});

describe('the SLURM scripts', () => {
  it('refuse option text that would break an #SBATCH line, and a folder path with spaces', () => {
    const plan = planSweep(spec(AXES));
    const bad = slurmScripts({ ...plan, dir: '/scratch/my sweep' }, { command: ['node', 'cli.js'], tasks: { partition: 'gpu\n#SBATCH --x', cpusPerTask: 0 }, merge: { mem: '8 G' }, maxParallel: 0, extra: ['constraint=a100'] });
    expect(E.isLeft(bad) && bad.left).toEqual([
      'the sweep folder /scratch/my sweep has whitespace in its path, which #SBATCH --output cannot carry; choose another --out',
      'the task partition "gpu\\n#SBATCH --x" is not a valid #SBATCH value',
      'the task cpusPerTask 0 is not a valid #SBATCH value',
      'the merge mem "8 G" is not a valid #SBATCH value',
      'the most tasks at once must be a whole number of at least 1, got 0',
      'the #SBATCH option "constraint=a100" must be one line starting with - (e.g. --constraint=a100)',
    ]);
  });

  it('quote the command words bash would split', () => {
    const plan = planSweep(spec(AXES));
    const scripts = slurmScripts(plan, { command: ['/opt/node 20/bin/node', "/opt/mp's/cli.js"], tasks: {}, merge: {} });
    if (E.isLeft(scripts)) throw new Error(scripts.left.join('; '));
    expect(scripts.right.tasks).toContain(`exec '/opt/node 20/bin/node' '/opt/mp'\\''s/cli.js' sweep task ${path.join(plan.dir, 'sweep-plan.json')}\n`);
    expect(scripts.right.tasks).toContain('#SBATCH --array=0-47\n');
  });
});
