import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeStudyError, parseRunRecord, resolveRunSettings, runStudy, type RunSettings, type StageProgress, type StudyProgress } from '../src/index.js';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

const pair = (id: string, who: string, act: [string, string]) => `  - id: ${id}
    category: care
    scene: park
    agents: [${who}]
    a: A photo of a ${who} ${act[0]} a lost puppy in the park.
    b: A photo of a ${who} ${act[1]} a lost puppy in the park.
    neutral: A photo of a ${who} and a lost puppy in the park.
`;
const SET = `format: moral-plantain/stimuli@1
name: four-scenes
version: 1.0.0
axis: moral valence
description: Four pairs with neutral scenes.
conditions: { a: helping, b: ignoring }
language: en
license: Apache-2.0
pairs:
${pair('p-1', 'boy', ['comforting', 'ignoring'])}${pair('p-2', 'girl', ['comforting', 'ignoring'])}${pair('p-3', 'man', ['comforting', 'ignoring'])}${pair('p-4', 'woman', ['comforting', 'ignoring'])}`;

function recording(): StudyProgress & { readonly updates: StageProgress[] } {
  const updates: StageProgress[] = [];
  return { updates, update: (p) => void updates.push(p), log: () => undefined, finish: () => undefined };
}

describe('run --reference generate on the tiny model', () => {
  let settings: RunSettings;
  let out: string;
  beforeAll(async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'mp-reference-run-'));
    dirs.push(root);
    const setFile = path.join(root, 'four-scenes.yaml');
    await writeFile(setFile, SET);
    out = path.join(root, 'run');
    const resolved = resolveRunSettings({ permutations: 16, splits: 0, resolution: '64', reference: 'generate', referenceSteps: '1', unitTokens: 'text-and-noisy' }, { out, stimuli: setFile });
    if (E.isLeft(resolved)) throw new Error(resolved.left.join('; '));
    settings = resolved.right;
  });

  it('draws one reference per pair from its neutral description, probes on it, and records and publishes it', async () => {
    const progress = recording();
    const outcome = await runStudy(settings, { progress })();
    if (E.isLeft(outcome)) throw new Error(describeStudyError(outcome.left).message);
    expect(progress.updates.filter((p) => p.stage === 'images').at(-1)).toMatchObject({ done: 4, total: 4 });
    const record = JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8'));
    expect(record.settings).toMatchObject({ reference: 'generate', unitTokens: 'text-and-noisy', referenceSteps: 1 });
    expect(record.protocol.unit).toMatchObject({ tokens: 'text-and-noisy' });
    expect(record.protocol.references).toMatchObject({ source: 'generated', imagesPerPrompt: 1, tokensPerPrompt: { min: 16, max: 16 }, generation: { steps: 1, guidance: 4, guided: true, seed: 0 } });
    expect(record.protocol.references.images).toHaveLength(4);
    expect(E.isRight(parseRunRecord(record))).toBe(true);
    const outputs = JSON.parse(readFileSync(path.join(out, 'outputs.json'), 'utf8')) as { files: { path: string }[] };
    for (const id of ['p-1', 'p-2', 'p-3', 'p-4']) {
      expect(existsSync(path.join(out, 'references', `${id}.png`))).toBe(true);
      expect(outputs.files.map((f) => f.path)).toContain(`references/${id}.png`);
    }
    const card = readFileSync(path.join(out, 'README.md'), 'utf8');
    expect(card).toContain("drawn by the probed model from the pair's neutral scene description (1 step, guidance 4, seed 0)");
    expect(card).toContain('Visual content is held fixed on the image side');
  }, 180_000);

  it('reuses the drawn references and the cached prompts on a rerun', async () => {
    const progress = recording();
    const outcome = await runStudy(settings, { progress })();
    if (E.isLeft(outcome)) throw new Error(describeStudyError(outcome.left).message);
    expect(progress.updates.some((p) => p.stage === 'images')).toBe(false);
    expect(outcome.right.prompts).toEqual({ total: 8, computed: 0, cached: 8 });
  }, 120_000);
});
