import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { resolveHubSnapshot, type HubEnvironment, type HubSnapshot, looksLikeHubRepoId } from './hub-cache.js';
import type { ModelBuildProblem } from '../model-folder/model-build-problem.js';

/** Where a model to build comes from: a Hub repo's snapshot in the local Hugging Face cache, or a diffusers pipeline folder on disk. */
export type ModelSource =
  | ({ readonly kind: 'hub' } & HubSnapshot)
  | { readonly kind: 'folder'; readonly dir: string; readonly fingerprint: string };

/** Whether `value` is a model folder already built (model.json or transformer.onnx), which needs no build. */
export function isBuiltModelFolder(value: string): boolean {
  return ['model.json', 'transformer.onnx', path.join('transformer', 'model.onnx')].some((file) => existsSync(path.join(value, file)));
}

/** Whether `value` is a diffusers pipeline folder (it holds `model_index.json`). */
export function isPipelineFolder(value: string): boolean {
  return existsSync(path.join(value, 'model_index.json'));
}

/**
 * The source a `--model` or `--from` value names: a Hub repo id (`org/name` that is not a folder
 * here) resolved in the local Hugging Face cache at `revision`, or a pipeline folder, identified by
 * a content fingerprint (every file's path, size and modification time; no file is read).
 */
export async function resolveModelSource(value: string, revision: string | undefined, env: HubEnvironment = process.env): Promise<E.Either<ModelBuildProblem, ModelSource>> {
  if (looksLikeHubRepoId(value)) {
    const snapshot = await resolveHubSnapshot(value, revision ?? 'main', env);
    return E.isLeft(snapshot) ? E.left(snapshot.left) : E.right({ kind: 'hub', ...snapshot.right });
  }
  if (revision !== undefined) return E.left({ _tag: 'ConflictingOptions', options: ['--revision', 'a folder'], hint: `--revision picks a snapshot of a Hub repo id; ${value} is a folder.` });
  if (!isPipelineFolder(value)) return E.left({ _tag: 'PipelineFile', path: path.join(value, 'model_index.json'), reason: 'there is no model_index.json, so it is not a diffusers pipeline folder (nor a model folder, nor a Hub repo id)' });
  return E.right({ kind: 'folder', dir: path.resolve(value), fingerprint: await folderFingerprint(value) });
}

/** SHA-256 over every file below `dir` (symlinks followed, as the Hub cache's are): relative path, size and modification time. */
export async function folderFingerprint(dir: string): Promise<string> {
  const hash = createHash('sha256').update('moral-plantain/folder-fingerprint@1\n');
  const walk = async (sub: string): Promise<void> => {
    for (const name of (await readdir(path.join(dir, sub))).sort()) {
      const rel = path.join(sub, name);
      const info = await stat(path.join(dir, rel));
      if (info.isDirectory()) await walk(rel);
      else hash.update(`${rel.split(path.sep).join('/')} ${info.size} ${Math.trunc(info.mtimeMs)}\n`);
    }
  };
  await walk('');
  return hash.digest('hex');
}
