import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { syncFolder, writeFileAtomic } from '../atomic-write.js';
import { sha256File } from '../hashing.js';
import { jsonFileText } from '../json-file.js';

/** The manifest of a folder's published outputs, written last: what a reader may trust. */
export const OUTPUTS_FILE = 'outputs.json';

/** Identifier in the `format` field of every outputs.json. */
export const OUTPUTS_FORMAT = 'moral-plantain/outputs@1';

/** Where the next set of outputs is staged inside the folder (its outputs.json seals it). */
export const OUTPUTS_STAGING = '.outputs-next';

/** One published file: its path relative to the folder, size and sha256. */
export interface OutputEntry {
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
}

/** The content of outputs.json. */
export interface OutputManifest {
  readonly format: typeof OUTPUTS_FORMAT;
  readonly files: readonly OutputEntry[];
}

/** How a folder's published files compare with its outputs.json. */
export interface OutputCheck {
  /** The manifest, or null when the folder has none (written before output sets, or by hand). */
  readonly manifest: OutputManifest | null;
  /** Listed files that are missing or differ from their entry. */
  readonly mismatched: readonly string[];
  /** Whether a sealed publish is waiting to be completed (`completeOutputs`). */
  readonly pending: boolean;
}

/**
 * Starts the next output set of `dir`, for the one process that writes the folder (it holds the
 * folder's lock): completes a publish a kill interrupted after it was sealed, discards a staging
 * folder that was never sealed (the published set is then untouched), and returns a fresh, empty
 * staging folder to write the new set into.
 */
export async function stageOutputs(dir: string): Promise<string> {
  await completeOutputs(dir);
  const staging = path.join(dir, OUTPUTS_STAGING);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  return staging;
}

/**
 * Publishes what was written into the staging folder as the folder's new output set: hashes every
 * staged file, seals the staging folder with its outputs.json, moves the files into place, removes
 * files of the previous set that the new one lacks, and moves outputs.json into place last. `kept`
 * are files of the folder carried into the new set unchanged. A kill at any moment leaves either
 * the previous set with its outputs.json, or a sealed set that `completeOutputs` (called by the
 * next writer and by readers) finishes.
 */
export async function publishOutputs(dir: string, kept: readonly string[] = []): Promise<OutputManifest> {
  const staging = path.join(dir, OUTPUTS_STAGING);
  const staged = (await filesBelow(staging)).filter((file) => file !== OUTPUTS_FILE);
  const entries: OutputEntry[] = [];
  for (const file of staged) entries.push(await entryOf(staging, file));
  for (const file of kept.filter((k) => !staged.includes(k))) entries.push(await entryOf(dir, file));
  const manifest: OutputManifest = { format: OUTPUTS_FORMAT, files: entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)) };
  await writeFileAtomic(path.join(staging, OUTPUTS_FILE), jsonFileText(manifest));
  await completeOutputs(dir);
  return manifest;
}

/**
 * Completes a sealed publish that was interrupted (moves its remaining files and then its
 * outputs.json into place); safe to repeat and to run beside the writer. A staging folder that is
 * not sealed is left alone (its writer may still be at work). Resolves to whether there was one.
 */
export async function completeOutputs(dir: string): Promise<boolean> {
  const staging = path.join(dir, OUTPUTS_STAGING);
  const sealed = await readManifest(path.join(staging, OUTPUTS_FILE));
  if (sealed === null) return false;
  const previous = await readManifest(path.join(dir, OUTPUTS_FILE));
  const folders = new Set<string>([dir]);
  for (const entry of sealed.files) {
    const target = path.join(dir, entry.path);
    await mkdir(path.dirname(target), { recursive: true });
    folders.add(path.dirname(target));
    await rename(path.join(staging, entry.path), target).catch(ignoreMissing);
  }
  const current = new Set(sealed.files.map((entry) => entry.path));
  for (const entry of previous?.files ?? []) if (!current.has(entry.path)) await rm(path.join(dir, entry.path), { force: true });
  for (const folder of folders) await syncFolder(folder);
  await rename(path.join(staging, OUTPUTS_FILE), path.join(dir, OUTPUTS_FILE)).catch(ignoreMissing);
  await syncFolder(dir);
  await rm(staging, { recursive: true, force: true });
  return true;
}

/** Compares the files of `dir` with its outputs.json (sizes, then sha256). */
export async function checkOutputs(dir: string): Promise<OutputCheck> {
  const manifest = await readManifest(path.join(dir, OUTPUTS_FILE));
  const pending = (await readManifest(path.join(dir, OUTPUTS_STAGING, OUTPUTS_FILE))) !== null;
  const mismatched: string[] = [];
  for (const entry of manifest?.files ?? []) {
    const actual = await entryOf(dir, entry.path).catch(() => null);
    if (actual === null || actual.bytes !== entry.bytes || actual.sha256 !== entry.sha256) mismatched.push(entry.path);
  }
  return { manifest, mismatched, pending };
}

/** The manifest in `file`, or null when there is none (or it is not one: a torn write cannot happen, it is written atomically). */
async function readManifest(file: string): Promise<OutputManifest | null> {
  const text = await readFile(file, 'utf8').catch(() => null);
  if (text === null) return null;
  try {
    const value = JSON.parse(text) as OutputManifest;
    return value.format === OUTPUTS_FORMAT && Array.isArray(value.files) ? value : null;
  } catch {
    return null;
  }
}

async function entryOf(dir: string, file: string): Promise<OutputEntry> {
  const full = path.join(dir, file);
  const { size } = await stat(full);
  return { path: file, bytes: size, sha256: await sha256File(full) };
}

/** Files below `dir`, relative to it, with `/` separators. */
async function filesBelow(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(path.join(dir, prefix), { withFileTypes: true })) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await filesBelow(dir, relative)));
    else if (entry.isFile()) out.push(relative);
  }
  return out;
}

function ignoreMissing(error: NodeJS.ErrnoException): void {
  if (error.code !== 'ENOENT') throw error;
}
