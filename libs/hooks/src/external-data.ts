import * as E from 'fp-ts/lib/Either.js';
import path from 'node:path';
import type { HooksError, HooksErrors } from './errors.js';
import type { ModelProto, TensorProto } from './onnx-types.js';
import { allTensors } from './walk-tensors.js';

/** `TensorProto.DataLocation.EXTERNAL`. */
export const EXTERNAL_DATA_LOCATION = 1;

/** One tensor stored outside the graph file: its name, `location` (relative to the model's folder) and where its bytes end. */
export interface ExternalReference {
  readonly tensor: string;
  readonly location: string;
  /** `offset + length` in bytes when the entry states its length (the data file must be at least this long), else null. */
  readonly end: number | null;
}

/** The external data references of a model, in graph order. */
export function externalReferences(model: ModelProto): ExternalReference[] {
  return allTensors(model)
    .filter((tensor) => tensor.dataLocation === EXTERNAL_DATA_LOCATION)
    .map((tensor) => ({ tensor: tensor.name, location: entryValue(tensor, 'location') ?? '', end: byteEnd(tensor) }));
}

/**
 * Checks every external data `location`: it must be relative and stay inside the model's folder.
 * Reports all bad locations at once. The data files themselves are never opened.
 */
export function checkExternalLocations(model: ModelProto): E.Either<HooksErrors, ModelProto> {
  const problems = externalReferences(model).flatMap((ref): HooksError[] => {
    const reason = locationProblem(ref.location);
    return reason ? [{ _tag: 'ExternalDataLocationInvalid', tensor: ref.tensor, location: ref.location, reason }] : [];
  });
  const [first, ...rest] = problems;
  return first ? E.left([first, ...rest]) : E.right(model);
}

/**
 * Plans how the external data files of a model read from `fromDir` are named from `toDir`: one
 * entry per distinct location. An entry with `outside: true` names a file that no relative
 * location inside `toDir` can reach.
 */
export function planRelocation(model: ModelProto, fromDir: string, toDir: string): RelocatedReference[] {
  const plans = new Map<string, RelocatedReference>();
  for (const ref of externalReferences(model)) {
    if (!plans.has(ref.location)) plans.set(ref.location, relocation(ref.location, fromDir, toDir));
  }
  return [...plans.values()];
}

/** Replaces external data locations in place: each `from` location becomes its `to`. */
export function rewriteLocations(model: ModelProto, references: readonly RelocatedReference[]): void {
  const mapping = new Map(references.map((ref) => [ref.from, ref.to]));
  for (const tensor of allTensors(model)) {
    if (tensor.dataLocation !== EXTERNAL_DATA_LOCATION) continue;
    const entry = tensor.externalData.find((e) => e.key === 'location');
    const to = entry ? mapping.get(entry.value) : undefined;
    if (entry && to !== undefined) entry.value = to;
  }
}

/** How one external data file is reached from the new folder. */
export interface RelocatedReference {
  /** The location as the original model had it. */
  readonly from: string;
  /** The location relative to the new folder (posix separators). */
  readonly to: string;
  /** The absolute path of the data file. */
  readonly file: string;
  /** True when the data file is not inside the new folder, so no relative location can name it. */
  readonly outside: boolean;
}

function relocation(location: string, fromDir: string, toDir: string): RelocatedReference {
  const file = path.resolve(fromDir, location);
  const to = path.relative(toDir, file).split(path.sep).join('/');
  return { from: location, to, file, outside: locationProblem(to) !== undefined };
}

function locationProblem(location: string): 'absolute' | 'escapes' | 'missing' | undefined {
  if (location === '') return 'missing';
  if (path.posix.isAbsolute(location) || path.win32.isAbsolute(location) || /^[a-zA-Z]:/.test(location)) return 'absolute';
  const normalized = path.posix.normalize(location.replaceAll('\\', '/'));
  if (normalized === '..' || normalized.startsWith('../')) return 'escapes';
  return undefined;
}

function byteEnd(tensor: TensorProto): number | null {
  const length = Number(entryValue(tensor, 'length') ?? NaN);
  const offset = Number(entryValue(tensor, 'offset') ?? 0);
  return Number.isSafeInteger(length) && Number.isSafeInteger(offset) ? offset + length : null;
}

function entryValue(tensor: TensorProto, key: string): string | undefined {
  return tensor.externalData.find((e) => e.key === key)?.value;
}
