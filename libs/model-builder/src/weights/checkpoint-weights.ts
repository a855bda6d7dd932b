import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { describeFileProblem, describeSafetensorsError, readSafetensorsHeader, readTensorAsFloat32, type ErrorDescription, type TensorEntry } from '@moral-plantain/formats';
import type { WeightError, WeightSource } from './weight-source.js';

/**
 * Parameters from a real checkpoint: one `.safetensors` file, or a folder (diffusers or Hugging Face
 * layout) with a `*.safetensors.index.json` naming its shards, or with its `.safetensors` files.
 * Only headers are read up front; each `read` loads one tensor and converts F32/F16/BF16/F64 to
 * float32, so a multi-GB checkpoint is never held in memory.
 */
export async function checkpointWeights(fileOrDir: string): Promise<E.Either<WeightError, WeightSource>> {
  const files = await shardFiles(fileOrDir);
  if (E.isLeft(files)) return files;
  const entries = new Map<string, TensorEntry>();
  for (const file of files.right) {
    const header = await readSafetensorsHeader(file);
    if (E.isLeft(header)) return E.left({ _tag: 'Unreadable', path: file, reason: header.left._tag === 'Unreadable' ? header.left.reason : describeSafetensorsError(header.left).message });
    for (const [name, entry] of header.right) entries.set(name, entry);
  }
  const read = new Set<string>();
  return E.right({
    description: fileOrDir,
    read: async (name, shape) => {
      const entry = entries.get(name);
      if (!entry) return E.left({ _tag: 'MissingTensor', name, source: fileOrDir });
      if (entry.shape.length !== shape.length || entry.shape.some((s, i) => s !== shape[i])) {
        return E.left({ _tag: 'WrongShape', name, expected: shape, actual: entry.shape });
      }
      const values = await readTensorAsFloat32(entry);
      if (!values) return E.left({ _tag: 'UnsupportedDtype', name, dtype: entry.dtype });
      read.add(name);
      return E.right(values);
    },
    unread: () => [...entries.keys()].filter((name) => !read.has(name)).sort(),
  });
}

/** The safetensors files of a checkpoint: the file itself, its index's shards, or the folder's files. */
async function shardFiles(fileOrDir: string): Promise<E.Either<WeightError, string[]>> {
  let info;
  try {
    info = await stat(fileOrDir);
  } catch (error) {
    return E.left({ _tag: 'Unreadable', path: fileOrDir, reason: (error as NodeJS.ErrnoException).code ?? String(error) });
  }
  if (info.isFile()) return E.right([fileOrDir]);
  const names = (await readdir(fileOrDir)).sort();
  const index = names.find((n) => n.endsWith('.safetensors.index.json'));
  if (index) {
    try {
      const parsed = JSON.parse(await readFile(path.join(fileOrDir, index), 'utf8')) as { weight_map?: Record<string, string> };
      const shards = [...new Set(Object.values(parsed.weight_map ?? {}))].sort();
      if (shards.length === 0) return E.left({ _tag: 'Unreadable', path: path.join(fileOrDir, index), reason: 'its weight_map is empty' });
      return E.right(shards.map((s) => path.join(fileOrDir, s)));
    } catch {
      return E.left({ _tag: 'Unreadable', path: path.join(fileOrDir, index), reason: 'not a JSON index with a weight_map' });
    }
  }
  const shards = names.filter((n) => n.endsWith('.safetensors'));
  if (shards.length === 0) return E.left({ _tag: 'Unreadable', path: fileOrDir, reason: 'no .safetensors files in the folder' });
  return E.right(shards.map((s) => path.join(fileOrDir, s)));
}

/** What is wrong with a weight, and what to do. */
export function describeWeightError(error: WeightError): ErrorDescription {
  const hint = 'Check that the config matches the checkpoint (names and shapes as diffusers / Hugging Face write them).';
  switch (error._tag) {
    case 'MissingTensor':
      return { message: `The checkpoint ${error.source} has no tensor ${error.name}.`, hint };
    case 'WrongShape':
      return { message: `Tensor ${error.name} has shape [${error.actual.join(', ')}]; the config needs [${error.expected.join(', ')}].`, hint };
    case 'UnsupportedDtype':
      return { message: `Tensor ${error.name} has dtype ${error.dtype}; F32, F16, BF16 and F64 are supported.`, hint: 'Convert the checkpoint to one of these dtypes.' };
    case 'ExtraTensors':
      return {
        message: `The checkpoint ${error.source} has ${error.names.length} tensor${error.names.length === 1 ? '' : 's'} the model does not use: ${error.names.slice(0, 8).join(', ')}${error.names.length > 8 ? ', ...' : ''}.`,
        hint,
      };
    case 'Unreadable':
      return describeFileProblem('read', error.path, error.reason, 'Give a .safetensors file or a folder of them (sharded ones with their .index.json).');
  }
}
