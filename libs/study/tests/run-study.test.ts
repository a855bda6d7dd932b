import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { hostName, readActivations } from '@moral-plantain/formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { describeStudyError, parseRunRecord, resolveRunSettings, runFolder, runStudy, type RunSettings, type StudyOutcome, type StudyProgress } from '../src/index.js';

const tempDir = () => mkdtemp(path.join(tmpdir(), 'mp-study-'));

function settings(out: string, extra: Record<string, unknown> = {}): RunSettings {
  const resolved = resolveRunSettings({ permutations: 64, splits: 10, ...extra }, { out });
  if (E.isLeft(resolved)) throw new Error(resolved.left.join('; '));
  return resolved.right;
}

/** A progress sink that keeps the messages. */
function collecting(): StudyProgress & { readonly messages: string[] } {
  const messages: string[] = [];
  return { messages, update: () => undefined, log: (m) => void messages.push(m), finish: () => undefined };
}

describe('runStudy on the embedded tiny model', () => {
  let out: string;
  let outcome: StudyOutcome;
  let progress: ReturnType<typeof collecting>;

  beforeAll(async () => {
    out = path.join(await tempDir(), 'run');
    progress = collecting();
    const result = await runStudy(settings(out), { progress, versions: { '@moral-plantain/cli': '9.9.9' } })();
    if (E.isLeft(result)) throw new Error(describeStudyError(result.left).message);
    outcome = result.right;
  }, 120_000);

  it('writes the whole run folder, says it used the tiny model, and leaves no lock behind', async () => {
    const folder = runFolder(out);
    expect(outcome.folder).toEqual(folder);
    expect(outcome.tinyModel).toBe(true);
    expect((await readdir(out)).sort()).toEqual(['.cache', 'README.md', 'activations.safetensors', 'figures', 'outputs.json', 'results.json', 'run.json', 'unit-statistics.csv']);
    expect(progress.messages[0]).toMatch(/embedded TINY FLUX\.2-architecture model/);
    expect(existsSync(folder.lock)).toBe(false);
  });

  it('records every run.json key the record type names, and the record parses back as the provenance', () => {
    const record = JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(record)).toEqual(['format', 'model', 'stimuli', 'protocol', 'permutations', 'splits', 'packages', 'device', 'requestedDevice', 'deviceFallbacks', 'createdAt', 'settings', 'prompts', 'timings', 'modelFiles']);
    expect(record).toMatchObject({
      format: 'moral-plantain/run@1',
      model: { kind: 'tiny-seeded', weightSeed: 0 },
      protocol: { seed: 0, resolution: { height: 128, width: 128 }, unit: { width: 16, channels: 'all', count: 72 } },
      packages: { '@moral-plantain/cli': '9.9.9', '@moral-plantain/study': '0.1.0', '@moral-plantain/formats': '0.1.0' },
      settings: { out, permutations: 64 },
      prompts: { total: 50, computed: 50, cached: 0 },
    });
    expect(E.isRight(parseRunRecord(record))).toBe(true);
  });

  it('(a) records the tiny model without a base model and writes a card that is a pipeline check with true metadata', () => {
    const record = JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8')) as { model: Record<string, unknown>; stimuli: Record<string, unknown> };
    expect(record.model).toEqual({ name: 'tiny FLUX.2-architecture model (seeded random weights)', kind: 'tiny-seeded', architecture: 'FLUX.2', attentionHeadDim: 16, weightSeed: 0, files: expect.any(Array) });
    expect(record.stimuli).toMatchObject({ name: 'moral-plantain', axis: 'moral valence', language: 'en', conditions: { a: 'helping', b: 'ignoring' } });
    const match = /^---\n([\s\S]*?)\n---\n\n# (.*)\n/.exec(readFileSync(path.join(out, 'README.md'), 'utf8'));
    expect(parseYaml(match?.[1] ?? '')).toEqual({
      language: ['en'],
      license: 'apache-2.0',
      library_name: 'moral-plantain',
      tags: ['interpretability', 'activation-probe', 'paired-prompt-probe', 'flux2', 'moral-plantain', 'pipeline-check', 'random-weights'],
      pipeline_tag: 'text-to-image',
    });
    expect(match?.[2]).toBe('moral-plantain probe: tiny FLUX.2-architecture model (seeded random weights)');
  });

  it('resumes from the cache with the same activations, and refuses a folder a live run holds', async () => {
    const first = readFileSync(path.join(out, 'activations.safetensors'));
    const again = await runStudy(settings(out), { progress: collecting() })();
    expect(E.isRight(again) && again.right.prompts).toEqual({ total: 50, computed: 0, cached: 50 });
    expect(readFileSync(path.join(out, 'activations.safetensors')).equals(first)).toBe(true);
    await writeFile(runFolder(out).lock, `${process.pid}\n`);
    const locked = await runStudy(settings(out), { progress: collecting() })();
    expect(E.isLeft(locked) && locked.left).toEqual({ _tag: 'Locked', file: expect.stringContaining('.moral-plantain.lock'), dir: out, pid: process.pid, host: hostName(), started: null, ageMs: expect.any(Number) });
    // What to do when the lock is stale (its process id now belongs to something else): the file to remove.
    if (E.isLeft(locked)) expect(describeStudyError(locked.left).hint).toContain(`remove ${runFolder(out).lock}`);
  });

  it('stops between batches when asked and names the cache that keeps what was done', async () => {
    const other = path.join(await tempDir(), 'stopped');
    const controller = new AbortController();
    const progressStop: StudyProgress = { update: (p) => p.stage === 'transformer' && p.done >= 4 && controller.abort(), log: () => undefined, finish: () => undefined };
    const stopped = await runStudy(settings(other), { progress: progressStop, signal: controller.signal })();
    expect(E.isLeft(stopped) && stopped.left._tag).toBe('Interrupted');
    expect(E.isLeft(stopped) && describeStudyError(stopped.left).message).toMatch(/^Interrupted after \d+ of 50 prompts; they are saved in .*prompts\.$/);
    expect(existsSync(path.join(other, 'results.json'))).toBe(false);
  });

  it('never opens what an interrupted model build left as some other model: it rebuilds the tiny model', async () => {
    const other = path.join(await tempDir(), 'poisoned');
    const modelDir = runFolder(other).cache.embeddedModel;
    await mkdir(modelDir, { recursive: true });
    // A build killed after the transformer and the text encoder, before model.json.
    for (const file of ['transformer.onnx', 'text_encoder.onnx']) await writeFile(path.join(modelDir, file), readFileSync(path.join(runFolder(out).cache.embeddedModel, file)));
    const run = await runStudy(settings(other, { splits: 0 }), { progress: collecting() })();
    if (E.isLeft(run)) throw new Error(describeStudyError(run.left).message);
    expect(run.right.tinyModel).toBe(true);
    const activations = await readActivations(path.join(other, 'activations.safetensors'))();
    const reference = await readActivations(path.join(out, 'activations.safetensors'))();
    if (E.isLeft(activations) || E.isLeft(reference)) throw new Error('unreadable');
    expect(Array.from(activations.right.a.data)).toEqual(Array.from(reference.right.a.data));
  }, 120_000);
});
