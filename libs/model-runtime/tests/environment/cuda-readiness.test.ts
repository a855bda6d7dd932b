import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkCudaReadiness, CUDA_PROVIDER_BUILD, CUDA_PROVIDER_FILES, CUDA_PROVIDER_LIBRARIES, driverAtLeast, nvidiaDriver } from '../../src/index.js';
import { libraryFolder, REAL_LIBRARY, tempFolder } from './fake-libraries.js';

const SONAMES = CUDA_PROVIDER_LIBRARIES.map((l) => l.soname);

/** A file system root with an NVIDIA driver's /proc entries, as the kernel module writes them. */
function driverRoot(version: string): string {
  const root = tempFolder();
  const proc = path.join(root, 'proc', 'driver', 'nvidia');
  mkdirSync(path.join(proc, 'gpus', '0000:18:00.0'), { recursive: true });
  writeFileSync(path.join(proc, 'version'), `NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  ${version}  Release Build  (dvs-builder@U22-I3-AF03-09-1)  Wed Aug 27 2025\nGCC version:  gcc version 12.2.0 (Debian 12.2.0-14+deb12u1)\n`);
  writeFileSync(path.join(proc, 'gpus', '0000:18:00.0', 'information'), 'Model: \t\t NVIDIA H200\nIRQ:   \t\t 123\nGPU UUID: \t\t GPU-00000000\n');
  mkdirSync(path.join(root, 'dev'));
  writeFileSync(path.join(root, 'dev', 'nvidia0'), '');
  return root;
}

describe('checkCudaReadiness', () => {
  it('names every CUDA 13 and cuDNN 9 library missing, and the provider library as not installed', () => {
    const readiness = checkCudaReadiness({ binDir: tempFolder(), env: { LD_LIBRARY_PATH: tempFolder() }, cache: new Map(), root: tempFolder() });
    expect(readiness.provider).toMatchObject({ installed: false, librariesFrom: 'onnxruntime build', problem: null });
    expect(readiness.provider.install).toBe('moral-plantain install-cuda');
    expect(readiness.missing).toEqual(SONAMES);
    expect(SONAMES).toEqual(expect.arrayContaining(['libcudart.so.13', 'libcublas.so.13', 'libcublasLt.so.13', 'libcurand.so.10', 'libcufft.so.12', 'libcudnn.so.9', 'libnvrtc.so.13', 'libcuda.so.1']));
    expect(readiness.driver).toEqual({ version: null, gpus: [], deviceNode: false, supportsBuild: null });
  });

  it('finds every library in LD_LIBRARY_PATH folders', () => {
    const toolkit = libraryFolder(SONAMES.filter((s) => !s.startsWith('libcudnn')));
    const cudnn = libraryFolder(SONAMES.filter((s) => s.startsWith('libcudnn')));
    const readiness = checkCudaReadiness({ binDir: tempFolder(), env: { LD_LIBRARY_PATH: `${toolkit}:${cudnn}` }, cache: new Map(), root: tempFolder() });
    expect(readiness.missing).toEqual([]);
    for (const library of readiness.libraries) {
      expect(library.location.found).toEqual({ path: path.join(library.soname.startsWith('libcudnn') ? cudnn : toolkit, library.soname), source: 'LD_LIBRARY_PATH' });
    }
  });

  it("reads an installed provider library's links and searches its $ORIGIN runpath", () => {
    const binDir = tempFolder();
    // A real library with RUNPATH $ORIGIN stands in for the provider: its DT_NEEDED are the C and C++ runtimes only.
    symlinkSync(REAL_LIBRARY, path.join(binDir, CUDA_PROVIDER_FILES.provider));
    symlinkSync(REAL_LIBRARY, path.join(binDir, CUDA_PROVIDER_FILES.shared));
    symlinkSync(REAL_LIBRARY, path.join(binDir, 'libcudart.so.13'));
    const readiness = checkCudaReadiness({ binDir, env: {}, cache: new Map(), root: tempFolder() });
    expect(readiness.provider).toMatchObject({ installed: true, librariesFrom: 'provider library', problem: null });
    expect(readiness.libraries.map((l) => l.soname)).toEqual(SONAMES);
    expect(readiness.libraries.find((l) => l.soname === 'libcudart.so.13')?.location.found).toEqual({ path: path.join(binDir, 'libcudart.so.13'), source: 'DT_RUNPATH' });
    expect(readiness.missing).not.toContain('libcudart.so.13');
  });

  it('says an unreadable provider library is a problem', () => {
    const binDir = tempFolder();
    writeFileSync(path.join(binDir, CUDA_PROVIDER_FILES.provider), 'not a library');
    writeFileSync(path.join(binDir, CUDA_PROVIDER_FILES.shared), '');
    expect(checkCudaReadiness({ binDir, env: {}, cache: new Map(), root: tempFolder() }).provider.problem).toMatch(/is not a readable shared library \(it does not start with the ELF magic number\)$/);
  });

  it('reads the NVIDIA driver version and GPUs, and whether the driver is new enough for CUDA 13', () => {
    const root = driverRoot('580.82.07');
    expect(nvidiaDriver(root)).toEqual({ version: '580.82.07', gpus: ['NVIDIA H200'], deviceNode: true });
    expect(checkCudaReadiness({ binDir: tempFolder(), env: {}, cache: new Map(), root }).driver.supportsBuild).toBe(true);
    expect(checkCudaReadiness({ binDir: tempFolder(), env: {}, cache: new Map(), root: driverRoot('550.54.15') }).driver.supportsBuild).toBe(false);
    expect(CUDA_PROVIDER_BUILD).toEqual({ onnxruntime: '1.30', cuda: 13, cudnn: 9, minimumDriver: 580 });
    expect([driverAtLeast('579.99', 580), driverAtLeast('580.65.06', 580), driverAtLeast(null, 580)]).toEqual([false, true, null]);
  });
});
