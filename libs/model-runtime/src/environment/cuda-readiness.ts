import { existsSync } from 'node:fs';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { CUDA_INSTALL_COMMAND } from '../session/cuda-provider.js';
import { CUDA_PROVIDER_BUILD, CUDA_PROVIDER_LIBRARIES, SYSTEM_LIBRARY, type CudaLibrary } from './cuda-libraries.js';
import { readElfInfo } from './elf-file.js';
import { driverAtLeast, nvidiaDriver, type NvidiaDriver } from './nvidia-driver.js';
import { onnxruntimeInstall } from './onnxruntime-install.js';
import { findSharedLibrary, librarySearch, type LibraryLocation, type LibrarySearch, type LibrarySearchOptions } from './shared-library-search.js';

/** The provider library files of onnxruntime-node's CUDA execution provider. */
export const CUDA_PROVIDER_FILES = { provider: 'libonnxruntime_providers_cuda.so', shared: 'libonnxruntime_providers_shared.so' } as const;

/** Whether this machine has what the CUDA execution provider needs, library by library. */
export interface CudaReadiness {
  /** The CUDA, cuDNN and driver versions the provider is built for. */
  readonly build: typeof CUDA_PROVIDER_BUILD;
  readonly provider: {
    /** Whether both provider library files are installed beside onnxruntime-node's own. */
    readonly installed: boolean;
    /** The provider library's path (present or not). */
    readonly file: string;
    readonly sharedFile: string;
    /** Where the library list comes from: the installed provider's DT_NEEDED entries, or onnxruntime's build (provider not installed). */
    readonly librariesFrom: 'provider library' | 'onnxruntime build';
    /** How to install it. */
    readonly install: string;
    /** Why the provider library could not be read, when it is installed but unreadable. */
    readonly problem: string | null;
  };
  /** Every library it needs, where the loader finds it, or where else it lies. */
  readonly libraries: readonly (CudaLibrary & { readonly location: LibraryLocation })[];
  readonly driver: NvidiaDriver & {
    /** Whether the driver is new enough for CUDA 13 (null when no driver is loaded). */
    readonly supportsBuild: boolean | null;
  };
  /** The sonames the loader would not find. */
  readonly missing: readonly string[];
  /** Whether the loader cache could be read (`ldconfig -p`); without it, libraries known only to the cache show as missing. */
  readonly loaderCacheRead: boolean;
}

/** Options of `checkCudaReadiness`. */
export interface CudaReadinessOptions extends Omit<LibrarySearchOptions, 'requester'> {
  /** Folder of onnxruntime-node's native libraries (default: the installed package's). */
  readonly binDir?: string;
  /** File system root for the driver's /proc and /dev entries (default `/`). */
  readonly root?: string;
}

/**
 * Checks the CUDA execution provider's prerequisites without loading it: the provider library
 * files, each CUDA and cuDNN library it needs (searched as the dynamic loader searches for the
 * provider's dependencies: DT_RPATH, LD_LIBRARY_PATH, DT_RUNPATH, the loader cache, the default
 * folders), copies of missing ones outside that search, and the NVIDIA driver.
 */
export function checkCudaReadiness(options: CudaReadinessOptions = {}): CudaReadiness {
  const binDir = options.binDir ?? onnxruntimeInstall().binDir;
  const file = path.join(binDir, CUDA_PROVIDER_FILES.provider);
  const sharedFile = path.join(binDir, CUDA_PROVIDER_FILES.shared);
  const installed = existsSync(file) && existsSync(sharedFile);
  const elf = existsSync(file) ? readElfInfo(file) : null;
  const dynamic = elf && E.isRight(elf) ? elf.right.dynamic : null;
  const problem = elf && E.isLeft(elf) ? `${file} is not a readable shared library (${elf.left.reason})` : null;

  const search: LibrarySearch = librarySearch({ ...options, requester: { dir: binDir, rpath: dynamic?.rpath ?? [], runpath: dynamic?.runpath ?? [] } });
  const libraries = requiredLibraries(dynamic?.needed ?? null).map((library) => ({ ...library, location: findSharedLibrary(library.soname, search, options.arch) }));
  const driver = nvidiaDriver(options.root);
  return {
    build: CUDA_PROVIDER_BUILD,
    provider: { installed, file, sharedFile, librariesFrom: dynamic ? 'provider library' : 'onnxruntime build', install: CUDA_INSTALL_COMMAND, problem },
    libraries,
    driver: { ...driver, supportsBuild: driverAtLeast(driver.version, CUDA_PROVIDER_BUILD.minimumDriver) },
    missing: libraries.filter((l) => l.location.found === null).map((l) => l.soname),
    loaderCacheRead: search.cacheRead,
  };
}

/** The known list (a library the installed provider links is needed at load), plus any other library it links. */
function requiredLibraries(needed: readonly string[] | null): CudaLibrary[] {
  if (needed === null) return [...CUDA_PROVIDER_LIBRARIES];
  const known = CUDA_PROVIDER_LIBRARIES.map((library): CudaLibrary => (needed.includes(library.soname) ? { ...library, when: 'load' } : library));
  const others = needed
    .filter((soname) => !SYSTEM_LIBRARY.test(soname) && !CUDA_PROVIDER_LIBRARIES.some((l) => l.soname === soname))
    .map((soname): CudaLibrary => ({ soname, component: 'linked by the CUDA provider', when: 'load', source: 'see the provider library' }));
  return [...known, ...others];
}
