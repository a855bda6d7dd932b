import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { parseSchedulerConfig, type FlowMatchSchedulerConfig } from '@moral-plantain/formats';
import type { ModelBuildProblem } from './model-build-problem.js';

/** The parts of a diffusers pipeline folder (`model_index.json` and one folder per component, as the Hugging Face Hub client downloads it) a model build uses. */
export interface PipelineFolder {
  readonly dir: string;
  readonly transformer: string;
  readonly textEncoder: string;
  /** The `vae/` folder, or null when the pipeline folder has none. */
  readonly vae: string | null;
  /** The `scheduler/` folder, or null. */
  readonly scheduler: string | null;
  /** The `tokenizer/` folder, or null. */
  readonly tokenizer: string | null;
  /** `model_index.json`'s `is_distilled` (false when absent, as `Flux2KleinPipeline.__init__` defaults it). */
  readonly isDistilled: boolean;
}

/** Reads a pipeline folder's `model_index.json` and finds its component folders; every problem is reported. */
export async function readPipelineFolder(dir: string): Promise<E.Either<ModelBuildProblem[], PipelineFolder>> {
  const problems: ModelBuildProblem[] = [];
  const indexFile = path.join(dir, 'model_index.json');
  let index: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(await readFile(indexFile, 'utf8')) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) problems.push({ _tag: 'PipelineFile', path: indexFile, reason: 'it is not a JSON object' });
    else index = parsed as Record<string, unknown>;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    problems.push({ _tag: 'PipelineFile', path: indexFile, reason: code === 'ENOENT' ? 'there is no model_index.json, so it is not a diffusers pipeline folder' : code ?? `it is not JSON (${(error as Error).message})` });
  }
  const component = (name: string, required: boolean): string | null => {
    const folder = path.join(dir, name);
    if (existsSync(folder)) return folder;
    if (required) problems.push({ _tag: 'PipelineFile', path: folder, reason: `the pipeline folder has no ${name}/ folder` });
    return null;
  };
  const transformer = component('transformer', true);
  const textEncoder = component('text_encoder', true);
  const distilled = index.is_distilled ?? false;
  if (typeof distilled !== 'boolean') problems.push({ _tag: 'PipelineFile', path: indexFile, reason: `its is_distilled is ${JSON.stringify(distilled)}, not true or false` });
  if (problems.length > 0 || transformer === null || textEncoder === null) return E.left(problems);
  return E.right({ dir, transformer, textEncoder, vae: component('vae', false), scheduler: component('scheduler', false), tokenizer: component('tokenizer', false), isDistilled: distilled === true });
}

/** Reads a scheduler config: a `scheduler_config.json` file, or a `scheduler/` folder holding one. */
export async function readSchedulerFile(fileOrDir: string): Promise<E.Either<ModelBuildProblem[], FlowMatchSchedulerConfig>> {
  const isDir = await stat(fileOrDir).then((s) => s.isDirectory(), () => false);
  const file = isDir ? path.join(fileOrDir, 'scheduler_config.json') : fileOrDir;
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return E.left([{ _tag: 'PipelineFile', path: file, reason: code === 'ENOENT' ? 'it does not exist' : code ?? `it is not JSON (${(error as Error).message})` }]);
  }
  const parsed = parseSchedulerConfig(json);
  return E.isLeft(parsed) ? E.left(parsed.left.map((reason): ModelBuildProblem => ({ _tag: 'PipelineFile', path: file, reason: `its ${reason}` }))) : E.right(parsed.right);
}
