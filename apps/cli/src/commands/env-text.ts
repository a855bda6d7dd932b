import path from 'node:path';
import type { ModelCaches } from '@moral-plantain/model-builder';
import type { CudaReadiness, EnvironmentReport, LibraryLocation, ProviderProbe, WebGpuReadiness } from '@moral-plantain/model-runtime';
import { byteSize } from '../byte-size.js';
import { textTable } from '../text-table.js';

/** The environment report as a person reads it: sections of aligned rows, then what to do about what is missing. */
/** The repository README's section on running on a GPU: the CUDA provider's install step and its requirements. */
const GPU_DOCS_URL = 'https://github.com/moral-plantain/moral-plantain#running-the-real-model-on-a-gpu';

export function environmentText(report: EnvironmentReport, packages: Readonly<Record<string, string>>, caches: ModelCaches): string {
  const sections = [
    section('Versions', versions(report, packages)),
    section(report.providers ? 'Execution providers (a tiny model on each, in its own process)' : 'Execution providers: not tried (--no-probe)', report.providers ? providers(report.providers, report.cuda) : ''),
    section(`CUDA provider (onnxruntime-node ${report.cuda.build.onnxruntime}: CUDA ${report.cuda.build.cuda}, cuDNN ${report.cuda.build.cudnn}, NVIDIA driver ${report.cuda.build.minimumDriver} or newer)`, cuda(report.cuda)),
    section('WebGPU (through Vulkan on Linux)', webgpu(report.webgpu)),
    section('Model caches', modelCachesText(caches)),
    section('Environment variables', variables(report.variables)),
  ];
  return `${sections.join('\n')}`;
}

function section(title: string, body: string): string {
  return `${title}\n${body
    .split('\n')
    .map((line) => (line === '' ? line : `  ${line}`))
    .join('\n')}`;
}

function rows(entries: readonly (readonly [string, string])[]): string {
  const width = Math.max(...entries.map(([k]) => k.length));
  return `${entries.map(([k, v]) => `${k.padEnd(width)}  ${v}`.trimEnd()).join('\n')}\n`;
}

function versions(report: EnvironmentReport, packages: Readonly<Record<string, string>>): string {
  const { system } = report;
  const os = [system.os.distribution, `${system.os.platform} ${system.os.arch}`, `kernel ${system.os.release}`, system.os.libc].filter((p): p is string => p !== null);
  return rows([
    ...Object.entries(packages).map(([name, version]) => [name, version] as const),
    ['Node.js', `${system.node.version} (${system.node.executable})`],
    ['OS', os.join(', ')],
    ['CPU', `${system.cpu.model}, ${system.cpu.logicalCores} logical cores (${system.cpu.availableParallelism} available)`],
    ['memory', `${gib(system.memory.totalBytes)} total, ${gib(system.memory.freeBytes)} free`],
  ]);
}

function providers(probes: readonly ProviderProbe[], cudaReadiness: CudaReadiness): string {
  // ONNX Runtime says only "Failed to load shared library" when the provider library itself is absent.
  const why = (p: ProviderProbe) => (p.device === 'cuda' && p.status === 'failed' && !cudaReadiness.provider.installed ? `${p.reason} (the CUDA provider library is not installed, see below)` : (p.reason ?? ''));
  return textTable(
    ['DEVICE', 'STATUS', 'TIME', 'REASON'],
    probes.flatMap((p) => [[p.device, p.status, `${p.seconds.toFixed(1)} s`, why(p)], ...p.log.map((line) => ['', '', '', `(printed) ${line}`])]),
  );
}

function cuda(c: CudaReadiness): string {
  const provider = c.provider.installed ? `installed (${c.provider.file})` : `not installed (${path.basename(c.provider.file)} is not in ${path.dirname(c.provider.file)})`;
  const driver = c.driver.version === null ? (c.driver.deviceNode ? 'no version found (/dev/nvidia0 exists, /proc/driver/nvidia does not)' : 'none loaded (no /proc/driver/nvidia/version)') : `${c.driver.version}${c.driver.supportsBuild === false ? ` (too old for CUDA ${c.build.cuda}: needs ${c.build.minimumDriver} or newer)` : ''}`;
  const head = rows([
    ['provider library', provider],
    ...(c.provider.problem ? [['problem', c.provider.problem] as const] : []),
    ...(c.provider.installed ? [] : [['install', `${c.provider.install} (see ${GPU_DOCS_URL})`] as const]),
    ['NVIDIA driver', driver],
    ['GPUs', c.driver.gpus.length > 0 ? c.driver.gpus.join(', ') : 'none listed'],
    ['library list from', c.provider.librariesFrom === 'provider library' ? "the provider library's own DT_NEEDED entries" : "onnxruntime's build (the provider library is not installed)"],
    ...(c.loaderCacheRead ? [] : [['loader cache', 'could not be read (ldconfig -p failed): libraries known only to it show as missing'] as const]),
  ]);
  const table = textTable(
    ['LIBRARY', 'WHAT', 'NEEDED', 'STATUS', 'WHERE'],
    c.libraries.map((l) => [l.soname, l.component, l.when === 'load' ? 'at load' : 'first use', l.location.found ? 'found' : 'MISSING', where(l.location)]),
  );
  const summary =
    c.missing.length === 0 ? `all ${c.libraries.length} libraries found\n` : `${c.missing.length} of ${c.libraries.length} libraries missing: ${c.missing.join(', ')}\n`;
  return `${head}\n${table}${summary}`;
}

function where(location: LibraryLocation): string {
  if (location.found) return `${location.found.path} (${location.found.source})`;
  const notes = [
    ...location.elsewhere.map((e) => `in ${path.dirname(e.path)} (${e.source}), not on the loader's path: add it to LD_LIBRARY_PATH`),
    ...location.skipped.map((s) => `${s.path} skipped: ${s.reason}`),
  ];
  return notes.join('; ');
}

function webgpu(w: WebGpuReadiness): string {
  const loader = w.vulkanLoader.found ? `${w.vulkanLoader.found.path} (${w.vulkanLoader.found.source})` : `missing (${w.vulkanLoader.soname}: install libvulkan1${where(w.vulkanLoader) ? `; ${where(w.vulkanLoader)}` : ''})`;
  const drivers = w.drivers.length === 0 ? 'none (no Vulkan ICD manifest found; the NVIDIA driver installs nvidia_icd.json)' : w.drivers.map((d) => `${d.manifest}${d.library ? ` -> ${d.library}` : ''}${d.software ? ' (software, no GPU)' : ''}`).join(', ');
  return rows([
    ['Vulkan loader', loader],
    ['Vulkan drivers', drivers],
    ['GPU render nodes', w.renderNodes.length > 0 ? w.renderNodes.join(', ') : 'none (/dev/dri/renderD*)'],
  ]);
}

function modelCachesText({ huggingFace: hub, models }: ModelCaches): string {
  const repos = hub.repos.length === 0 ? 'no model repos downloaded' : `${hub.repos.length} model repo${hub.repos.length === 1 ? '' : 's'}: ${hub.repos.join(', ')}`;
  const built = models.problem
    ? `unreadable: ${models.problem}`
    : !models.exists
      ? 'absent (nothing built yet)'
      : `${models.entries} entr${models.entries === 1 ? 'y' : 'ies'}${models.incomplete > 0 ? ` and ${models.incomplete} folder${models.incomplete === 1 ? '' : 's'} of builds or removals` : ''}, ${byteSize(models.bytes)} (moral-plantain model cache)`;
  return rows([
    ['Hugging Face hub', `${hub.dir}: ${hub.exists ? repos : 'absent'}`],
    ['built model folders', `${models.dir}: ${built}`],
  ]);
}

function variables(list: EnvironmentReport['variables']): string {
  return textTable(
    ['VARIABLE', 'VALUE', 'WHAT IT DOES'],
    list.map((v) => [v.name, v.value ?? '(unset)', v.meaning]),
  );
}

function gib(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
}
