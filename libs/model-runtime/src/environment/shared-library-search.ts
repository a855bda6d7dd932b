import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { elfTargetOf, readElfInfo } from './elf-file.js';

/** Why the dynamic loader looks in a folder: the order of this list is the loader's order. */
export type LoaderSource = 'DT_RPATH' | 'LD_LIBRARY_PATH' | 'DT_RUNPATH' | 'ld.so.cache' | 'default folder';

/** A folder the loader does not search but where CUDA libraries are commonly installed. */
export interface OtherPlace {
  readonly dir: string;
  /** What put libraries there: `CUDA toolkit ($CUDA_HOME)`, `pip wheel (nvidia-*)`, `conda ($CONDA_PREFIX)`. */
  readonly source: string;
}

/** Where the dynamic loader would look for the libraries a given object needs, as `ld.so(8)` describes it, and where else they may lie. */
export interface LibrarySearch {
  /** The folders searched before the cache, in order. */
  readonly folders: readonly { readonly dir: string; readonly source: Exclude<LoaderSource, 'ld.so.cache' | 'default folder'> }[];
  /** The loader cache: soname -> path, for libraries of this process's architecture. */
  readonly cache: ReadonlyMap<string, string>;
  /** Whether the cache could be read (`ldconfig -p`). */
  readonly cacheRead: boolean;
  /** The trusted default folders, searched last. */
  readonly defaults: readonly string[];
  /** Folders outside the loader's search where the libraries may be installed. */
  readonly elsewhere: readonly OtherPlace[];
}

/** Where one library was found, or why not. */
export interface LibraryLocation {
  readonly soname: string;
  /** Where the loader would take it from, or null when it would not find it. */
  readonly found: { readonly path: string; readonly source: LoaderSource } | null;
  /** Copies outside the loader's search (a folder to add to LD_LIBRARY_PATH). */
  readonly elsewhere: readonly { readonly path: string; readonly source: string }[];
  /** Files of that name the loader skips: not an ELF library of this architecture. */
  readonly skipped: readonly { readonly path: string; readonly reason: string }[];
}

/** Options of `librarySearch`. */
export interface LibrarySearchOptions {
  /** Environment variables to read (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
  /** The object whose dependencies are looked up: its folder (for `$ORIGIN`), DT_RPATH and DT_RUNPATH (default none). */
  readonly requester?: { readonly dir: string; readonly rpath: readonly string[]; readonly runpath: readonly string[] };
  /** The loader cache, soname -> path (default: `readLoaderCache()`); null when it could not be read. */
  readonly cache?: ReadonlyMap<string, string> | null;
  /** Process architecture, as `process.arch` (default this process's). */
  readonly arch?: string;
}

/** The default folders of the GNU dynamic loader (64-bit and multiarch layouts alike). */
const DEFAULT_FOLDERS = ['/lib64', '/usr/lib64', '/lib', '/usr/lib'];

/** The search of the GNU dynamic loader for the dependencies of `options.requester`, in this environment. */
export function librarySearch(options: LibrarySearchOptions = {}): LibrarySearch {
  const env = options.env ?? process.env;
  const requester = options.requester;
  const origin = (dir: string) => (requester ? dir.replaceAll('$ORIGIN', requester.dir).replaceAll('${ORIGIN}', requester.dir) : dir);
  const ldLibraryPath = (env['LD_LIBRARY_PATH'] ?? '').split(/[:;]/).filter((d) => d !== '');
  // DT_RPATH is used only when the object has no DT_RUNPATH.
  const rpath = requester && requester.runpath.length === 0 ? requester.rpath : [];
  const folders = [
    ...rpath.map((dir) => ({ dir: origin(dir), source: 'DT_RPATH' as const })),
    ...ldLibraryPath.map((dir) => ({ dir, source: 'LD_LIBRARY_PATH' as const })),
    ...(requester?.runpath ?? []).map((dir) => ({ dir: origin(dir), source: 'DT_RUNPATH' as const })),
  ];
  const cache = options.cache === undefined ? readLoaderCache(options.arch) : options.cache;
  return { folders, cache: cache ?? new Map(), cacheRead: cache !== null, defaults: DEFAULT_FOLDERS, elsewhere: otherPlaces(env, options.arch ?? process.arch) };
}

/** Finds a library by soname as the loader would (the first usable file in search order), and any copies outside its search. */
export function findSharedLibrary(soname: string, search: LibrarySearch, arch: string = process.arch): LibraryLocation {
  const skipped: { path: string; reason: string }[] = [];
  const usable = (file: string): boolean => {
    if (!isFile(file)) return false;
    const problem = libraryProblem(file, arch);
    if (problem !== null) skipped.push({ path: file, reason: problem });
    return problem === null;
  };
  let found: LibraryLocation['found'] = null;
  for (const { dir, source } of search.folders) {
    const file = path.join(dir, soname);
    if (usable(file)) {
      found = { path: file, source };
      break;
    }
  }
  const cached = search.cache.get(soname);
  if (!found && cached !== undefined && usable(cached)) found = { path: cached, source: 'ld.so.cache' };
  if (!found) {
    for (const dir of search.defaults) {
      const file = path.join(dir, soname);
      if (usable(file)) {
        found = { path: file, source: 'default folder' };
        break;
      }
    }
  }
  const elsewhere = found ? [] : search.elsewhere.map((p) => ({ path: path.join(p.dir, soname), source: p.source })).filter((p) => isFile(p.path) && libraryProblem(p.path, arch) === null);
  return { soname, found, elsewhere: unique(elsewhere), skipped };
}

/** Why the loader would skip a file (not ELF, or built for another architecture), or null when it would load it. */
function libraryProblem(file: string, arch: string): string | null {
  const info = readElfInfo(file);
  if (E.isLeft(info)) return `not a shared library (${info.left.reason})`;
  const target = elfTargetOf(arch);
  if (target && (info.right.elfClass !== target.elfClass || info.right.machine !== target.machine)) {
    return `built for another architecture (ELF${info.right.elfClass}, machine ${info.right.machine}; this is ${arch})`;
  }
  return null;
}

/** The dynamic loader's cache (/etc/ld.so.cache) as `ldconfig -p` lists it: soname -> path for this architecture; null when ldconfig cannot be run. */
export function readLoaderCache(arch: string = process.arch): Map<string, string> | null {
  const tag = arch === 'x64' ? 'x86-64' : arch === 'arm64' ? 'AArch64' : null;
  for (const ldconfig of ['/sbin/ldconfig', '/usr/sbin/ldconfig', 'ldconfig']) {
    if (ldconfig.startsWith('/') && !existsSync(ldconfig)) continue;
    let listing: string;
    try {
      listing = execFileSync(ldconfig, ['-p'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      continue;
    }
    const cache = new Map<string, string>();
    for (const line of listing.split('\n')) {
      const entry = /^\s*(\S+)\s+\(([^)]*)\)[^=]*=>\s*(.+)$/.exec(line);
      if (!entry) continue;
      const [, soname, flags, file] = entry as unknown as [string, string, string, string];
      // 64-bit entries carry their architecture (`libc6,x86-64`); a 64-bit process skips the others.
      const matches = tag === null ? true : flags.split(',').includes(tag);
      if (matches && !cache.has(soname)) cache.set(soname, file.trim());
    }
    return cache;
  }
  return null;
}

/** CUDA toolkits, cuDNN archives, conda environments and pip's `nvidia-*` wheels: where CUDA libraries often lie outside the loader's search. */
function otherPlaces(env: NodeJS.ProcessEnv, arch: string): OtherPlace[] {
  const places: OtherPlace[] = [];
  const targetTriple = arch === 'arm64' ? 'sbsa-linux' : 'x86_64-linux';
  const toolkit = (root: string, source: string) => {
    for (const sub of ['lib64', 'lib', `targets/${targetTriple}/lib`]) places.push({ dir: path.join(root, sub), source });
  };
  for (const name of ['CUDA_PATH', 'CUDA_HOME', 'CUDA_ROOT']) {
    const root = env[name];
    if (root) toolkit(root, `CUDA toolkit ($${name})`);
  }
  toolkit('/usr/local/cuda', 'CUDA toolkit (/usr/local/cuda)');
  for (const entry of listDir('/usr/local').filter((e) => /^cuda-\d/.test(e)).sort().reverse()) toolkit(path.join('/usr/local', entry), `CUDA toolkit (/usr/local/${entry})`);
  toolkit('/opt/cuda', 'CUDA toolkit (/opt/cuda)');
  for (const name of ['CUDNN_PATH', 'CUDNN_HOME']) {
    const root = env[name];
    if (root) for (const sub of ['lib', 'lib64']) places.push({ dir: path.join(root, sub), source: `cuDNN ($${name})` });
  }
  if (env['CONDA_PREFIX']) places.push({ dir: path.join(env['CONDA_PREFIX'], 'lib'), source: 'conda environment ($CONDA_PREFIX)' });
  for (const sitePackages of sitePackagesFolders(env)) {
    const nvidia = path.join(sitePackages, 'nvidia');
    // CUDA 13 wheels share nvidia/cu13/lib; CUDA 12 wheels and cuDNN have nvidia/<component>/lib.
    for (const component of listDir(nvidia).sort()) places.push({ dir: path.join(nvidia, component, 'lib'), source: `pip wheel (nvidia-${component})` });
  }
  return places.filter((p) => isDir(p.dir));
}

/** Python package folders of the active virtual environment or conda environment, the user's, and the system's. */
function sitePackagesFolders(env: NodeJS.ProcessEnv): string[] {
  const prefixes = [env['VIRTUAL_ENV'], env['CONDA_PREFIX'], path.join(env['HOME'] ?? homedir(), '.local'), '/usr/local', '/usr'].filter((p): p is string => typeof p === 'string' && p !== '');
  const folders: string[] = [];
  for (const prefix of prefixes) {
    const lib = path.join(prefix, 'lib');
    for (const python of listDir(lib).filter((e) => /^python3(\.\d+)?$/.test(e))) {
      for (const kind of ['site-packages', 'dist-packages']) folders.push(path.join(lib, python, kind));
    }
  }
  return unique(folders.filter(isDir).map((dir) => ({ path: dir }))).map((f) => f.path);
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function isDir(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function unique<T extends { readonly path: string }>(items: readonly T[]): T[] {
  const seen = new Set<string>();
  return items.filter((item) => !seen.has(item.path) && seen.add(item.path));
}
