import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The NVIDIA kernel driver and the GPUs it drives, as the kernel reports them. */
export interface NvidiaDriver {
  /** Driver version (`580.65.06`), or null when no NVIDIA kernel driver is loaded. */
  readonly version: string | null;
  /** GPU models (`NVIDIA H200`), one per GPU. */
  readonly gpus: readonly string[];
  /** Whether `/dev/nvidia0` exists (a container may see the device without /proc/driver/nvidia). */
  readonly deviceNode: boolean;
}

/** Reads the NVIDIA driver's version and GPUs from `/proc/driver/nvidia` (`root` is the file system root, for tests). */
export function nvidiaDriver(root = '/'): NvidiaDriver {
  const proc = path.join(root, 'proc', 'driver', 'nvidia');
  const version = read(path.join(proc, 'version'));
  // "NVRM version: NVIDIA UNIX x86_64 Kernel Module  580.65.06  ..." or "... Open Kernel Module for x86_64  580.65.06 ...".
  const match = version === null ? null : /Kernel Module(?: for \S+)?\s+(\d+\.\d+(?:\.\d+)?)/.exec(version);
  const gpus = list(path.join(proc, 'gpus')).flatMap((bus) => {
    const model = /^Model:\s*(.+)$/m.exec(read(path.join(proc, 'gpus', bus, 'information')) ?? '');
    return model ? [model[1]!.trim()] : [];
  });
  return { version: match?.[1] ?? null, gpus, deviceNode: existsSync(path.join(root, 'dev', 'nvidia0')) };
}

/** Whether a driver version is at least `major` (e.g. 580 for CUDA 13). */
export function driverAtLeast(version: string | null, major: number): boolean | null {
  if (version === null) return null;
  return Number(version.split('.')[0]) >= major;
}

function read(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}
