import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeSafetensors, type SafetensorsTensor } from '@moral-plantain/formats';
import { flux2ParameterShapes, flux2Presets, qwen3ParameterPlan, qwen3Presets, seededTensor } from '@moral-plantain/model-builder';

const bin = path.join(import.meta.dirname, '..', 'bin', 'moral-plantain.js');
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

const nPairs = 16;
const nUnits = 24;

/**
 * A user's own activations as numpy would save them: float64 tensors a and b [pairs, units] of
 * values computed in float32, with groups. Units 0-3 have b = a - 0.3 in float32 (a constant
 * difference: t near 1e8 in float64), units 4-9 a real shift, the rest noise.
 */
function activationsFile(dir: string, constantUnits = 4): string {
  let state = 7;
  const next = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const a = new Float64Array(nPairs * nUnits);
  const b = new Float64Array(nPairs * nUnits);
  for (let i = 0; i < a.length; i++) {
    const u = i % nUnits;
    a[i] = Math.fround(0.5 + next());
    b[i] = u < constantUnits ? Math.fround(a[i]! - 0.3) : Math.fround(a[i]! + 0.3 * (next() - 0.5) + (u < 10 ? 0.25 : 0));
  }
  const tensor = (data: Float64Array) => ({ dtype: 'F64' as const, shape: [nPairs, nUnits], bytes: new Uint8Array(data.buffer) });
  const groups = Array.from({ length: nUnits }, (_, u) => (u < 12 ? 'layer.0' : 'layer.1'));
  const file = path.join(dir, 'mine.safetensors');
  writeFileSync(file, encodeSafetensors(new Map([['a', tensor(a)], ['b', tensor(b)]]), { groups: JSON.stringify(groups) }));
  return file;
}

/** The card's YAML front matter, as text (the report library's tests parse it back). */
function frontMatter(readme: string): string {
  return /^---\n[\s\S]*?\n---\n/.exec(readme)?.[0] ?? '';
}

describe('honest cards from the command line', () => {
  it('(d, f) stats then report on a user\'s own degenerate activations: a warning, the list in results.json, a neutral card that says so', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mp-card-'));
    const stats = run('stats', activationsFile(dir), '--permutations', '200', '--splits', '10', '--out', path.join(dir, 'results.json'));
    expect(stats.stderr).toBe('');
    expect(stats.status).toBe(0);
    expect(stats.stdout).toMatch(/^warning: 4 of 24 units are near-constant \(the same difference in every pair to within rounding\): their t, up to \d\.\de\d, measures rounding, not an effect \(results\.json lists them under nearConstant\)$/m);
    expect(stats.stdout).toMatch(/^max \|t\|: \d\.\de\d \(unit [0-3], layer\.0, near-constant\)$/m);
    const results = JSON.parse(readFileSync(path.join(dir, 'results.json'), 'utf8'));
    expect(results.nearConstant).toEqual({ units: [0, 1, 2, 3], roundoffs: 1024, precision: 'float64', absD: 16384 });

    const report = run('report', path.join(dir, 'results.json'));
    expect(report.stderr).toBe('');
    expect(report.status).toBe(0);
    expect(report.stdout).toContain('no run.json beside');
    const readme = readFileSync(path.join(dir, 'README.md'), 'utf8');
    expect(frontMatter(readme)).toBe('---\nlicense: apache-2.0\nlibrary_name: moral-plantain\ntags:\n  - interpretability\n  - activation-probe\n---\n');
    expect(readme).toContain('\n# Paired probe of 24 units over 16 pairs\n');
    expect(readme).toContain('> **Degenerate units.** 4 of 24 units are near-constant');
    expect(readme).not.toMatch(/FLUX|klein|valence|base_model|not recorded/);
  });

  it('(f) warns that the data are degenerate when every unit is', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mp-card-'));
    const stats = run('stats', activationsFile(dir, nUnits), '--permutations', '100', '--splits', '0', '--out', path.join(dir, 'results.json'));
    expect(stats.status).toBe(0);
    expect(stats.stdout).toMatch(/^warning: the data are degenerate: every unit has the same difference in every pair to within rounding \(\d+ near-constant, \|t\| up to \d\.\de\d\); the statistics below measure rounding, not an effect$/m);
    expect(run('report', path.join(dir, 'results.json')).status).toBe(0);
    expect(readFileSync(path.join(dir, 'README.md'), 'utf8')).toContain('**The data are degenerate');
  });

  it('(e) report --title / --model / --base-model / --tag (repeatable) say what the user knows', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mp-card-'));
    expect(run('stats', activationsFile(dir, 0), '--permutations', '100', '--splits', '0', '--out', path.join(dir, 'results.json')).status).toBe(0);
    const report = run('report', path.join(dir, 'results.json'), '--title', 'Valence in SDXL cross-attention', '--model', 'SDXL base 1.0', '--base-model', 'stabilityai/stable-diffusion-xl-base-1.0', '--tag', 'sdxl', '--tag', 'my-lab');
    expect(report.stderr).toBe('');
    expect(report.status).toBe(0);
    const readme = readFileSync(path.join(dir, 'README.md'), 'utf8');
    expect(frontMatter(readme)).toBe(
      '---\nlicense: apache-2.0\nbase_model: stabilityai/stable-diffusion-xl-base-1.0\nlibrary_name: moral-plantain\ntags:\n  - interpretability\n  - activation-probe\n  - sdxl\n  - my-lab\n---\n',
    );
    expect(readme).toContain('\n# Valence in SDXL cross-attention\n');
    expect(readme).toContain('- **Model**: SDXL base 1.0, from the checkpoint `stabilityai/stable-diffusion-xl-base-1.0`.');
  });

  it('(e) refuses card flags that are malformed or untrue, all at once, exit 2, writing nothing', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mp-card-'));
    expect(run('stats', activationsFile(dir, 0), '--permutations', '100', '--splits', '0', '--out', path.join(dir, 'results.json')).status).toBe(0);
    const bad = run('report', path.join(dir, 'results.json'), '--base-model', 'SDXL', '--tag', 'two words', '--title', '');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^error: 3 card options are invalid: the title is empty; the base model "SDXL" is not a Hugging Face repo id, org\/name .*; the tag "two words" must be one word without spaces or commas \(e\.g\. my-lab\)\.\n {2}Fix the title, model name, base model or tags given for the card \(report --title, --model, --base-model, --tag\)\.\n$/);
    expect(readdirSync(dir).sort()).toEqual(['mine.safetensors', 'results.json']);
    // A run record of the tiny model: its weights are random, so no base model, whatever the flag says.
    writeFileSync(path.join(dir, 'run.json'), JSON.stringify({ model: { name: 'tiny', kind: 'tiny-seeded', architecture: 'FLUX.2' } }));
    const tiny = run('report', path.join(dir, 'results.json'), '--base-model', 'black-forest-labs/FLUX.2-klein-base-4B');
    expect(tiny.status).toBe(2);
    expect(tiny.stderr).toContain("the run record says the model has the tiny model's seeded random weights, which come from no checkpoint, so its card has no base model");
    expect(existsSync(path.join(dir, 'README.md'))).toBe(false);
  });

  it('model build --base-model records the checkpoint\'s repo id only for checkpoint weights, and only a repo id', () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'mp-card-')), 'm');
    const random = run('model', 'build', '--out', out, '--base-model', 'black-forest-labs/FLUX.2-klein-base-4B', '--random');
    expect(random.status).toBe(2);
    expect(random.stderr).toBe(
      'error: A base model names the checkpoint the transformer weights come from, but this build gives the transformer seeded random weights.\n  Give the checkpoint with --weights, or leave out --base-model (a random-init control has no base model).\n',
    );
    const malformed = run('model', 'build', '--out', out, '--base-model', 'https://huggingface.co/black-forest-labs/FLUX.2-klein-base-4B');
    expect(malformed.status).toBe(2);
    expect(malformed.stderr).toMatch(/^error: The base model "https:\/\/huggingface\.co\/black-forest-labs\/FLUX\.2-klein-base-4B" is not a Hugging Face repo id\.\n {2}Give a Hugging Face repo id, org\/name/);
    expect(existsSync(out)).toBe(false);
  });

  it('model build --weights ... --base-model records the repo id in model.json, and model info shows it', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'mp-card-'));
    const weights = path.join(root, 'acme-tiny', 'transformer');
    const textEncoder = path.join(root, 'acme-tiny', 'text_encoder');
    mkdirSync(weights, { recursive: true });
    mkdirSync(textEncoder, { recursive: true });
    const transformerTensors = new Map<string, SafetensorsTensor>();
    for (const p of flux2ParameterShapes(flux2Presets.tiny)) {
      const init = p.shape.length === 1 ? ({ kind: 'ones' } as const) : ({ kind: 'linear', fanIn: p.shape[1] as number } as const);
      transformerTensors.set(p.name, { dtype: 'F32', shape: p.shape, bytes: new Uint8Array(seededTensor(9, p.name, p.shape, init).buffer) });
    }
    writeFileSync(path.join(weights, 'diffusion_pytorch_model.safetensors'), encodeSafetensors(transformerTensors));
    writeFileSync(path.join(weights, 'config.json'), JSON.stringify({ _class_name: 'Flux2Transformer2DModel', ...flux2Presets.tiny }));
    const textTensors = new Map(qwen3ParameterPlan(qwen3Presets.tiny).parameters.map((p) => [p.name, { dtype: 'F32' as const, shape: p.shape, bytes: new Uint8Array(seededTensor(1, p.name, p.shape, p.init).buffer) }]));
    writeFileSync(path.join(textEncoder, 'model.safetensors'), encodeSafetensors(textTensors));
    writeFileSync(path.join(textEncoder, 'config.json'), JSON.stringify({ ...qwen3Presets.tiny.model, model_type: 'qwen3' }));
    const out = path.join(root, 'model');
    const layers = qwen3Presets.tiny.outputLayers.join(',');
    const build = run('model', 'build', '--out', out, '--weights', weights, '--text-encoder', textEncoder, '--text-layers', layers, '--base-model', 'acme/tiny-flux2', '--json');
    expect(build.stderr).toBe('');
    expect(build.status).toBe(0);
    expect(JSON.parse(build.stdout).manifest).toMatchObject({ name: 'tiny-flux2', tiny: false, seeds: {}, baseModel: 'acme/tiny-flux2' });
    expect(JSON.parse(readFileSync(path.join(out, 'model.json'), 'utf8')).baseModel).toBe('acme/tiny-flux2');
    const info = run('model', 'info', out, '--no-hash');
    expect(info.status).toBe(0);
    expect(info.stdout).toContain('\n  base model: acme/tiny-flux2\n');
  });
});
