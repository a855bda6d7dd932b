import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CUDA_PROVIDER_FILES, CUDA_PROVIDER_LIBRARIES, onnxruntimeInstall } from '@moral-plantain/model-runtime';

const bin = path.join(import.meta.dirname, '..', 'bin', 'moral-plantain.js');
/** The CLI with LD_LIBRARY_PATH set as given (unset when undefined), the rest of the environment as this process's. */
const env = (args: readonly string[], ldLibraryPath?: string) => {
  const { LD_LIBRARY_PATH: _ignored, ...rest } = process.env;
  return spawnSync(process.execPath, [bin, 'env', ...args], { encoding: 'utf8', env: { ...rest, ...(ldLibraryPath !== undefined ? { LD_LIBRARY_PATH: ldLibraryPath } : {}) } });
};
const SONAMES = CUDA_PROVIDER_LIBRARIES.map((l) => l.soname);
const { binDir } = onnxruntimeInstall();
const cudaInstalled = existsSync(path.join(binDir, CUDA_PROVIDER_FILES.provider));
/** The loader cache as ldconfig lists it: the independent check of which libraries this machine has. */
const ldconfig = spawnSync('ldconfig', ['-p'], { encoding: 'utf8' });
const inLoaderCache = (soname: string) => ldconfig.status === 0 && ldconfig.stdout.includes(`\t${soname} (`);

interface LibraryJson {
  readonly soname: string;
  readonly location: { readonly found: { readonly path: string; readonly source: string } | null };
}

describe('moral-plantain env', () => {
  let report: {
    format: string;
    packages: Record<string, string>;
    system: { node: { version: string } };
    onnxruntime: { version: string };
    providers: { device: string; status: string; reason: string | null }[];
    cuda: { provider: { installed: boolean; install: string }; libraries: LibraryJson[]; missing: string[] };
    webgpu: { vulkanLoader: { soname: string } };
    variables: { name: string; value: string | null }[];
  };
  beforeAll(() => {
    const res = env(['--json']);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    report = JSON.parse(res.stdout);
  }, 120_000);

  it('reports the versions of the packages, Node.js and onnxruntime-node', () => {
    expect(report.format).toBe('moral-plantain/env@1');
    expect(report.packages['@moral-plantain/cli']).toBe('0.1.0');
    expect(report.packages['@moral-plantain/model-runtime']).toBe('0.1.0');
    expect(report.system.node.version).toBe(process.versions.node);
    expect(report.onnxruntime.version).toBe('1.30.0');
    expect(report.variables.map((v) => v.name)).toEqual(expect.arrayContaining(['LD_LIBRARY_PATH', 'CUDA_VISIBLE_DEVICES', 'VK_DRIVER_FILES']));
  });

  it('tries each execution provider: the CPU runs, CUDA without its provider library does not', () => {
    expect(report.providers.map((p) => p.device)).toEqual(['cpu', 'cuda', 'webgpu']);
    expect(report.providers[0]).toMatchObject({ status: 'ok', reason: null });
    if (!cudaInstalled) {
      expect(report.providers[1]).toMatchObject({ status: 'failed', reason: expect.stringMatching(/Failed to load shared library/) });
      expect(report.cuda.provider.installed).toBe(false);
      expect(report.cuda.provider.install).toBe('moral-plantain install-cuda');
    }
  });

  it('names each CUDA and cuDNN library the loader would not find, as ldconfig -p confirms', () => {
    expect(report.cuda.libraries.map((l) => l.soname)).toEqual(SONAMES);
    for (const library of report.cuda.libraries) {
      if (library.location.found === null) expect(inLoaderCache(library.soname), library.soname).toBe(false);
      else expect(existsSync(library.location.found.path), library.soname).toBe(true);
    }
    expect(report.cuda.missing).toEqual(report.cuda.libraries.filter((l) => l.location.found === null).map((l) => l.soname));
    // This machine has no GPU driver and no cuBLAS or cuDNN: the CUDA provider could not run here.
    if (!inLoaderCache('libcuda.so.1')) expect(report.cuda.missing).toContain('libcuda.so.1');
    if (!inLoaderCache('libcublas.so.13')) expect(report.cuda.missing).toContain('libcublas.so.13');
  });

  it('says in its table which libraries are missing, and how to install the provider', () => {
    const res = env(['--no-probe']);
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/^Execution providers: not tried \(--no-probe\)$/m);
    for (const soname of report.cuda.missing) expect(res.stdout).toMatch(new RegExp(`^  ${soname.replaceAll('.', '\\.')}\\s.*\\sMISSING`, 'm'));
    if (!cudaInstalled) expect(res.stdout).toMatch(/^ {2}install\s+moral-plantain install-cuda \(see https:\/\/\S+#running-the-real-model-on-a-gpu\)$/m);
    expect(res.stdout).toMatch(/^ {2}LD_LIBRARY_PATH\s+\(unset\)/m);
  });

  it('finds every library in an LD_LIBRARY_PATH folder that holds them', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mp-env-libs-'));
    // Each soname is a real shared library of this architecture (onnxruntime's own, linked under that name).
    for (const soname of SONAMES) symlinkSync(path.join(binDir, 'libonnxruntime.so.1'), path.join(dir, soname));
    const res = env(['--json', '--no-probe'], dir);
    expect(res.status).toBe(0);
    const found = JSON.parse(res.stdout) as { providers: null; cuda: { libraries: LibraryJson[]; missing: string[] }; variables: { name: string; value: string | null }[] };
    expect(found.providers).toBeNull();
    expect(found.cuda.missing).toEqual([]);
    for (const library of found.cuda.libraries) expect(library.location.found).toEqual({ path: path.join(dir, library.soname), source: 'LD_LIBRARY_PATH' });
    expect(found.variables.find((v) => v.name === 'LD_LIBRARY_PATH')?.value).toBe(dir);
    expect(env(['--no-probe'], dir).stdout).toMatch(new RegExp(`^ {2}all ${SONAMES.length} libraries found$`, 'm'));
  });

  it('refuses a bad --timeout with one message and exit code 2', () => {
    const res = env(['--timeout', '0']);
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/^error: --timeout must be a whole number from 1 to 3600/);
  });

  it('says where the Hugging Face hub cache and our model cache are and what they hold', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'mp-env-caches-'));
    const caches = { HF_HUB_CACHE: path.join(root, 'hub'), MORAL_PLANTAIN_CACHE: path.join(root, 'ours') };
    const run = (args: readonly string[]) => spawnSync(process.execPath, [bin, 'env', '--no-probe', ...args], { encoding: 'utf8', env: { ...process.env, ...caches } });
    expect(JSON.parse(run(['--json']).stdout).caches).toEqual({
      huggingFace: { dir: caches.HF_HUB_CACHE, exists: false, repos: [] },
      models: { dir: path.join(caches.MORAL_PLANTAIN_CACHE, 'models'), exists: false, entries: 0, incomplete: 0, bytes: 0, problem: null },
    });
    for (const repo of ['models--black-forest-labs--FLUX.2-klein-base-4B', 'models--Qwen--Qwen3-4B', 'datasets--org--set']) mkdirSync(path.join(caches.HF_HUB_CACHE, repo), { recursive: true });
    // What a killed build leaves (process 4194304 is past Linux's pid_max): not an entry, but counted.
    const killed = path.join(caches.MORAL_PLANTAIN_CACHE, 'models', `.${'a'.repeat(64)}.building-host-4194304-0123456789ab`);
    mkdirSync(killed, { recursive: true });
    writeFileSync(path.join(killed, 'transformer.onnx'), 'x'.repeat(1000));
    const json = JSON.parse(run(['--json']).stdout).caches;
    expect(json.huggingFace).toEqual({ dir: caches.HF_HUB_CACHE, exists: true, repos: ['Qwen/Qwen3-4B', 'black-forest-labs/FLUX.2-klein-base-4B'] });
    expect(json.models).toMatchObject({ exists: true, entries: 0, incomplete: 1, bytes: 1000 });
    const text = run([]).stdout;
    expect(text).toContain(`Hugging Face hub     ${caches.HF_HUB_CACHE}: 2 model repos: Qwen/Qwen3-4B, black-forest-labs/FLUX.2-klein-base-4B`);
    expect(text).toContain(`built model folders  ${path.join(caches.MORAL_PLANTAIN_CACHE, 'models')}: 0 entries and 1 folder of builds or removals, 1000 B (moral-plantain model cache)`);
  });
});
