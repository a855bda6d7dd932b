import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findSharedLibrary, librarySearch, readLoaderCache } from '../../src/index.js';
import { emptyFile, libraryFolder, REAL_LIBRARY, tempFolder } from './fake-libraries.js';

/** A search with no loader cache and no default folders: only what a test puts in place is found. */
function isolated(options: Parameters<typeof librarySearch>[0]) {
  return { ...librarySearch({ cache: new Map(), ...options }), defaults: [] };
}

describe('findSharedLibrary', () => {
  it('finds a library in the first LD_LIBRARY_PATH folder that holds it, as the loader does', () => {
    const first = libraryFolder(['libcudart.so.13']);
    const second = libraryFolder(['libcudart.so.13', 'libcublas.so.13']);
    const search = isolated({ env: { LD_LIBRARY_PATH: `${first}:${second}` } });
    expect(findSharedLibrary('libcudart.so.13', search).found).toEqual({ path: path.join(first, 'libcudart.so.13'), source: 'LD_LIBRARY_PATH' });
    expect(findSharedLibrary('libcublas.so.13', search).found).toEqual({ path: path.join(second, 'libcublas.so.13'), source: 'LD_LIBRARY_PATH' });
    expect(findSharedLibrary('libcurand.so.10', search)).toEqual({ soname: 'libcurand.so.10', found: null, elsewhere: [], skipped: [] });
  });

  it('skips a file of that name that is not a shared library and goes on searching', () => {
    const first = tempFolder();
    const bad = emptyFile(first, 'libcublasLt.so.13');
    const second = libraryFolder(['libcublasLt.so.13']);
    const found = findSharedLibrary('libcublasLt.so.13', isolated({ env: { LD_LIBRARY_PATH: `${first}:${second}` } }));
    expect(found.found).toEqual({ path: path.join(second, 'libcublasLt.so.13'), source: 'LD_LIBRARY_PATH' });
    expect(found.skipped).toEqual([{ path: bad, reason: 'not a shared library (the file is empty)' }]);
  });

  it('skips a library built for another architecture', () => {
    const dir = libraryFolder(['libcurand.so.10']);
    const found = findSharedLibrary('libcurand.so.10', isolated({ env: { LD_LIBRARY_PATH: dir }, arch: 'arm64' }), 'arm64');
    expect(found.found).toBeNull();
    expect(found.skipped[0]?.reason).toMatch(/^built for another architecture \(ELF64, machine 62; this is arm64\)$/);
  });

  it('searches DT_RPATH, LD_LIBRARY_PATH, DT_RUNPATH ($ORIGIN expanded), the cache, then the default folders, in that order', () => {
    const origin = tempFolder();
    libraryFolder(['libcufft.so.12'], path.join(origin, 'lib'));
    const cached = libraryFolder(['libcudnn.so.9']);
    const defaults = libraryFolder(['libnvrtc.so.13']);
    const search = {
      ...librarySearch({ env: {}, requester: { dir: origin, rpath: [], runpath: ['$ORIGIN/lib'] }, cache: new Map([['libcudnn.so.9', path.join(cached, 'libcudnn.so.9')]]) }),
      defaults: [defaults],
    };
    expect(findSharedLibrary('libcufft.so.12', search).found).toEqual({ path: path.join(origin, 'lib', 'libcufft.so.12'), source: 'DT_RUNPATH' });
    expect(findSharedLibrary('libcudnn.so.9', search).found).toEqual({ path: path.join(cached, 'libcudnn.so.9'), source: 'ld.so.cache' });
    expect(findSharedLibrary('libnvrtc.so.13', search).found).toEqual({ path: path.join(defaults, 'libnvrtc.so.13'), source: 'default folder' });
    // DT_RPATH counts only for an object without DT_RUNPATH.
    const rpathOnly = librarySearch({ env: { LD_LIBRARY_PATH: '/x' }, requester: { dir: origin, rpath: ['$ORIGIN/lib'], runpath: [] }, cache: new Map() });
    expect(rpathOnly.folders).toEqual([
      { dir: path.join(origin, 'lib'), source: 'DT_RPATH' },
      { dir: '/x', source: 'LD_LIBRARY_PATH' },
    ]);
    expect(librarySearch({ env: {}, requester: { dir: origin, rpath: ['/r'], runpath: ['/p'] }, cache: new Map() }).folders).toEqual([{ dir: '/p', source: 'DT_RUNPATH' }]);
  });

  it("names copies outside the loader's search: pip wheels (CUDA 13 and CUDA 12 layouts), CUDA_HOME and conda", () => {
    const venv = tempFolder();
    const site = path.join(venv, 'lib', 'python3.12', 'site-packages', 'nvidia');
    libraryFolder(['libcublas.so.13'], path.join(site, 'cu13', 'lib'));
    libraryFolder(['libcudnn.so.9'], path.join(site, 'cudnn', 'lib'));
    const cudaHome = tempFolder();
    libraryFolder(['libcurand.so.10'], path.join(cudaHome, 'lib64'));
    const conda = tempFolder();
    libraryFolder(['libcufft.so.12'], path.join(conda, 'lib'));
    mkdirSync(path.join(conda, 'lib', 'python3.11', 'site-packages'), { recursive: true });
    const search = isolated({ env: { VIRTUAL_ENV: venv, CUDA_HOME: cudaHome, CONDA_PREFIX: conda, HOME: tempFolder() } });
    expect(findSharedLibrary('libcublas.so.13', search)).toMatchObject({ found: null, elsewhere: [{ path: path.join(site, 'cu13', 'lib', 'libcublas.so.13'), source: 'pip wheel (nvidia-cu13)' }] });
    expect(findSharedLibrary('libcudnn.so.9', search).elsewhere).toEqual([{ path: path.join(site, 'cudnn', 'lib', 'libcudnn.so.9'), source: 'pip wheel (nvidia-cudnn)' }]);
    expect(findSharedLibrary('libcurand.so.10', search).elsewhere).toEqual([{ path: path.join(cudaHome, 'lib64', 'libcurand.so.10'), source: 'CUDA toolkit ($CUDA_HOME)' }]);
    expect(findSharedLibrary('libcufft.so.12', search).elsewhere).toEqual([{ path: path.join(conda, 'lib', 'libcufft.so.12'), source: 'conda environment ($CONDA_PREFIX)' }]);
  });
});

describe('readLoaderCache', () => {
  it.skipIf(spawnSync('ldconfig', ['-p']).status !== 0)("lists the loader cache's libraries of this architecture, as ldconfig -p does", () => {
    const cache = readLoaderCache();
    expect(cache).not.toBeNull();
    const listing = execFileSync('ldconfig', ['-p'], { encoding: 'utf8' });
    const libc = /^\s*libc\.so\.6 \(libc6,x86-64[^)]*\) => (\S+)$/m.exec(listing)?.[1];
    if (process.arch === 'x64') expect(cache?.get('libc.so.6')).toBe(libc);
    expect(cache?.size).toBeGreaterThan(10);
    // The stand-in library is not installed system-wide: the cache does not know it by its file name.
    expect(cache?.has(path.basename(REAL_LIBRARY))).toBe(listing.includes(`\t${path.basename(REAL_LIBRARY)} `));
  });
});
