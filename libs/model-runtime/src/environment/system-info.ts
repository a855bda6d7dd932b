import { readFileSync } from 'node:fs';
import os from 'node:os';

/** The machine and Node.js a run happens on. */
export interface SystemInfo {
  readonly node: { readonly version: string; readonly executable: string };
  readonly os: {
    readonly platform: string;
    readonly arch: string;
    /** Kernel release. */
    readonly release: string;
    /** The distribution's name (`Debian GNU/Linux 12 (bookworm)`), from /etc/os-release; null when unknown. */
    readonly distribution: string | null;
    /** The C library (`glibc 2.36`); onnxruntime-node's native code needs glibc. Null when not glibc. */
    readonly libc: string | null;
  };
  readonly cpu: { readonly model: string; readonly logicalCores: number; readonly availableParallelism: number };
  readonly memory: { readonly totalBytes: number; readonly freeBytes: number };
}

/** Describes this machine and Node.js. */
export function systemInfo(): SystemInfo {
  const cpus = os.cpus();
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  return {
    node: { version: process.versions.node, executable: process.execPath },
    os: { platform: process.platform, arch: process.arch, release: os.release(), distribution: distribution(), libc: header?.glibcVersionRuntime ? `glibc ${header.glibcVersionRuntime}` : null },
    cpu: { model: cpus[0]?.model.trim() ?? 'unknown', logicalCores: cpus.length, availableParallelism: os.availableParallelism() },
    memory: { totalBytes: os.totalmem(), freeBytes: os.freemem() },
  };
}

function distribution(): string | null {
  try {
    const text = readFileSync('/etc/os-release', 'utf8');
    const pretty = /^PRETTY_NAME=(.*)$/m.exec(text)?.[1];
    return pretty ? pretty.replace(/^["']|["']$/g, '') : null;
  } catch {
    return null;
  }
}
