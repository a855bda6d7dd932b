import { readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { findSharedLibrary, librarySearch, type LibraryLocation, type LibrarySearchOptions } from './shared-library-search.js';

/** The Vulkan loader soname: onnxruntime-node's WebGPU provider (Dawn) reaches GPUs through it on Linux. */
export const VULKAN_LOADER = 'libvulkan.so.1';

/** One installed Vulkan driver (ICD manifest). */
export interface VulkanDriver {
  readonly manifest: string;
  /** The driver library the manifest names (`libGLX_nvidia.so.0`), or null when the manifest is unreadable. */
  readonly library: string | null;
  /** Whether it is a software rasterizer on the CPU (lavapipe, SwiftShader), which gives no GPU. */
  readonly software: boolean;
}

/** What the WebGPU provider needs on Linux: the Vulkan loader, a Vulkan driver for a GPU, and GPU device nodes. */
export interface WebGpuReadiness {
  readonly vulkanLoader: LibraryLocation;
  readonly drivers: readonly VulkanDriver[];
  /** GPU render nodes (`/dev/dri/renderD128`). */
  readonly renderNodes: readonly string[];
}

/** Options of `checkWebGpuReadiness`. */
export interface WebGpuReadinessOptions extends Omit<LibrarySearchOptions, 'requester'> {
  /** File system root for /dev (default `/`). */
  readonly root?: string;
}

/** Checks the WebGPU provider's prerequisites without loading it: the Vulkan loader, the Vulkan drivers (ICD manifests) and the GPU device nodes. */
export function checkWebGpuReadiness(options: WebGpuReadinessOptions = {}): WebGpuReadiness {
  const env = options.env ?? process.env;
  const vulkanLoader = findSharedLibrary(VULKAN_LOADER, librarySearch(options), options.arch);
  const root = options.root ?? '/';
  const renderNodes = list(path.join(root, 'dev', 'dri'))
    .filter((n) => n.startsWith('renderD'))
    .map((n) => path.join('/dev/dri', n));
  return { vulkanLoader, drivers: icdManifests(env).map(describeDriver), renderNodes };
}

/** The ICD manifests the Vulkan loader reads: those named by VK_DRIVER_FILES / VK_ICD_FILENAMES, else those in its search folders. */
function icdManifests(env: NodeJS.ProcessEnv): string[] {
  const named = env['VK_DRIVER_FILES'] ?? env['VK_ICD_FILENAMES'];
  if (named) return named.split(':').filter((f) => f !== '');
  const home = env['HOME'] ?? homedir();
  const configDirs = [env['XDG_CONFIG_HOME'] ?? path.join(home, '.config'), ...(env['XDG_CONFIG_DIRS'] ?? '/etc/xdg').split(':'), '/etc'];
  const dataDirs = [env['XDG_DATA_HOME'] ?? path.join(home, '.local', 'share'), ...(env['XDG_DATA_DIRS'] ?? '/usr/local/share:/usr/share').split(':')];
  const folders = [...new Set([...configDirs, ...dataDirs].filter((d) => d !== '').map((d) => path.join(d, 'vulkan', 'icd.d')))];
  return folders.flatMap((dir) =>
    list(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => path.join(dir, f)),
  );
}

function describeDriver(manifest: string): VulkanDriver {
  let library: string | null = null;
  try {
    const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { ICD?: { library_path?: unknown } };
    library = typeof parsed.ICD?.library_path === 'string' ? parsed.ICD.library_path : null;
  } catch {
    library = null;
  }
  const software = /lvp|lavapipe|swiftshader|swrast/i.test(`${path.basename(manifest)} ${library ?? ''}`);
  return { manifest, library, software };
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}
