import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import sharp from 'sharp';
import { buildTinyModelFolder } from '@moral-plantain/model-builder';
import { defaultQwen3TokenizerDir } from '@moral-plantain/model-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeStudyError, generateStudy, resolveGenerateSettings, type GenerateOutcome, type ImageIndex, type StageProgress, type StudyProgress } from '../../src/index.js';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'mp-generate-'));
  dirs.push(dir);
  return dir;
}

const SET = `format: moral-plantain/stimuli@1
name: two-scenes
version: 1.0.0
axis: moral valence
description: Two pairs for the generate tests.
conditions: { a: helping, b: ignoring }
language: en
license: Apache-2.0
pairs:
  - id: p-1
    category: care
    scene: park
    agents: [boy]
    a: A boy comforting a lost puppy in the park.
    b: A boy ignoring a lost puppy in the park.
    neutral: A boy and a lost puppy in the park.
  - id: p-2
    category: care
    scene: shop
    agents: [cashier]
    a: A cashier handing back the change <with a smile>.
    b: A cashier pocketing the change <with a smile>.
    neutral: A cashier at the counter of a shop.
`;

/** A progress sink that keeps every update. */
function recording(abortAfterSteps?: { controller: AbortController; steps: number }): StudyProgress & { readonly updates: StageProgress[] } {
  const updates: StageProgress[] = [];
  return {
    updates,
    update: (p) => {
      updates.push(p);
      if (abortAfterSteps && p.stage === 'images' && p.done >= abortAfterSteps.steps) abortAfterSteps.controller.abort();
    },
    log: () => undefined,
    finish: () => undefined,
  };
}

async function run(flags: Record<string, unknown>, progress: StudyProgress = recording(), signal?: AbortSignal): Promise<E.Either<string, GenerateOutcome>> {
  const settings = resolveGenerateSettings(flags);
  if (E.isLeft(settings)) return E.left(settings.left.join('; '));
  const outcome = await generateStudy(settings.right, { progress, ...(signal ? { signal } : {}) })();
  return E.isLeft(outcome) ? E.left(describeStudyError(outcome.left).message) : E.right(outcome.right);
}

function ok(outcome: E.Either<unknown, GenerateOutcome>): GenerateOutcome {
  if (E.isLeft(outcome)) throw new Error(JSON.stringify(outcome.left));
  return outcome.right;
}

describe('generate on the tiny model', () => {
  let model: string;
  let setFile: string;
  beforeAll(async () => {
    const root = await tempDir();
    model = path.join(root, 'tiny');
    const built = await buildTinyModelFolder(model, defaultQwen3TokenizerDir());
    if (E.isLeft(built)) throw new Error(JSON.stringify(built.left));
    setFile = path.join(root, 'two-scenes.yaml');
    await writeFile(setFile, SET);
  }, 60_000);

  it('draws both prompts and the neutral scene of every pair, with the images index, a contact sheet and progress per step', async () => {
    const out = path.join(await tempDir(), 'images');
    const progress = recording();
    const outcome = ok(await run({ model, stimuli: setFile, out, steps: '2', resolution: '64', neutral: true }, progress));
    expect(outcome).toMatchObject({ generated: 6, reused: 0, sampling: { steps: 2, guidance: 4, guided: true, seed: 0, resolution: [64, 64] } });
    expect((await readdir(path.join(out, 'images'))).sort()).toEqual(['p-1-a.png', 'p-1-b.png', 'p-1-neutral.png', 'p-2-a.png', 'p-2-b.png', 'p-2-neutral.png']);
    for (const file of outcome.images) expect(await sharp(file).metadata()).toMatchObject({ format: 'png', width: 64, height: 64, channels: 3 });
    const index = JSON.parse(await readFile(path.join(out, 'images.json'), 'utf8')) as ImageIndex;
    expect(index.images.map((i) => [i.file, i.condition])).toEqual([
      ['images/p-1-a.png', 'a'],
      ['images/p-1-b.png', 'b'],
      ['images/p-1-neutral.png', 'neutral'],
      ['images/p-2-a.png', 'a'],
      ['images/p-2-b.png', 'b'],
      ['images/p-2-neutral.png', 'neutral'],
    ]);
    expect(index.sampling).toMatchObject({ guided: true, negativePrompt: '', isDistilled: false, scheduler: { use_dynamic_shifting: true } });
    const html = await readFile(outcome.contactSheet!, 'utf8');
    // One row per pair with a and b side by side; prompt text escaped.
    expect(html).toMatch(/<tr><th scope="row">p-1<br>.*<img src="images\/p-1-a\.png".*<img src="images\/p-1-b\.png".*<img src="images\/p-1-neutral\.png".*<\/tr>/);
    expect(html).toContain('A cashier handing back the change &lt;with a smile&gt;.');
    expect(html).toContain('tiny seeded-random model');
    const steps = progress.updates.filter((p) => p.stage === 'images');
    expect(steps.map((p) => p.done)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(steps.every((p) => p.total === 12)).toBe(true);
  }, 60_000);

  it('is bit-identical across reruns with one seed, resumes after a stop, and redraws what another seed changes', async () => {
    const reference = path.join(await tempDir(), 'reference');
    ok(await run({ model, stimuli: setFile, out: reference, steps: '2', resolution: '64' }));

    const out = path.join(await tempDir(), 'resumed');
    const controller = new AbortController();
    const stopped = await run({ model, stimuli: setFile, out, steps: '2', resolution: '64' }, recording({ controller, steps: 2 }), controller.signal);
    expect(E.isLeft(stopped) && stopped.left).toMatch(/^Interrupted after 1 of 4 /);
    expect(await readdir(path.join(out, 'images'))).toEqual(['p-1-a.png']);
    expect(existsSync(path.join(out, 'index.html'))).toBe(false);
    const resumed = ok(await run({ model, stimuli: setFile, out, steps: '2', resolution: '64' }));
    expect([resumed.generated, resumed.reused]).toEqual([3, 1]);
    for (const file of ['p-1-a.png', 'p-1-b.png', 'p-2-a.png', 'p-2-b.png']) {
      expect((await readFile(path.join(out, 'images', file))).equals(await readFile(path.join(reference, 'images', file))), file).toBe(true);
    }
    expect(await readdir(out)).not.toContain(expect.stringMatching(/\.tmp$/));

    const again = ok(await run({ model, stimuli: setFile, out, steps: '2', resolution: '64' }));
    expect([again.generated, again.reused]).toEqual([0, 4]);
    const reseeded = ok(await run({ model, stimuli: setFile, out, steps: '2', resolution: '64', seed: '1' }));
    expect([reseeded.generated, reseeded.reused]).toEqual([4, 0]);
    expect((await readFile(path.join(out, 'images', 'p-1-a.png'))).equals(await readFile(path.join(reference, 'images', 'p-1-a.png')))).toBe(false);
  }, 90_000);

  it('draws one prompt to a PNG file with the embedded model, and says what is wrong with bad settings', async () => {
    const file = path.join(await tempDir(), 'out', 'boy.png');
    const outcome = ok(await run({ prompt: 'A boy in a park.', out: file, steps: '1', resolution: '32x48', guidance: '1' }));
    expect(outcome).toMatchObject({ images: [file], tinyModel: true, sampling: { guided: false, resolution: [48, 32] } });
    expect(await sharp(file).metadata()).toMatchObject({ width: 32, height: 48 });
    expect(await run({ stimuli: setFile, prompt: 'x', steps: '0', guidance: 'lots', neutral: true })).toEqual(
      E.left('give a prompt or --stimuli, not both; --neutral draws the neutral scenes of a set; it needs --stimuli; guidance must be a number from 0 to 100 (1 or less: no guidance), got "lots"; steps must be a whole number from 1 to 1000, got "0"'),
    );
  }, 60_000);
});
