import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkWebGpuReadiness } from '../../src/index.js';
import { libraryFolder, tempFolder } from './fake-libraries.js';

describe('checkWebGpuReadiness', () => {
  it('finds the Vulkan loader, the Vulkan drivers named by VK_DRIVER_FILES (software ones flagged) and the render nodes', () => {
    const lib = libraryFolder(['libvulkan.so.1']);
    const icd = tempFolder();
    const nvidia = path.join(icd, 'nvidia_icd.json');
    writeFileSync(nvidia, JSON.stringify({ file_format_version: '1.0.1', ICD: { library_path: 'libGLX_nvidia.so.0', api_version: '1.4.312' } }));
    const lavapipe = path.join(icd, 'lvp_icd.x86_64.json');
    writeFileSync(lavapipe, JSON.stringify({ file_format_version: '1.0.0', ICD: { library_path: '/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so', api_version: '1.3.255' } }));
    const root = tempFolder();
    mkdirSync(path.join(root, 'dev', 'dri'), { recursive: true });
    writeFileSync(path.join(root, 'dev', 'dri', 'renderD128'), '');
    writeFileSync(path.join(root, 'dev', 'dri', 'card0'), '');
    const readiness = checkWebGpuReadiness({ env: { LD_LIBRARY_PATH: lib, VK_DRIVER_FILES: `${nvidia}:${lavapipe}` }, cache: new Map(), root });
    expect(readiness.vulkanLoader.found).toEqual({ path: path.join(lib, 'libvulkan.so.1'), source: 'LD_LIBRARY_PATH' });
    expect(readiness.drivers).toEqual([
      { manifest: nvidia, library: 'libGLX_nvidia.so.0', software: false },
      { manifest: lavapipe, library: '/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so', software: true },
    ]);
    expect(readiness.renderNodes).toEqual(['/dev/dri/renderD128']);
  });

  it('lists the ICD manifests in the XDG data folders when no variable names them', () => {
    const data = tempFolder();
    mkdirSync(path.join(data, 'vulkan', 'icd.d'), { recursive: true });
    writeFileSync(path.join(data, 'vulkan', 'icd.d', 'nvidia_icd.json'), '{ not json');
    const readiness = checkWebGpuReadiness({ env: { XDG_DATA_DIRS: data, XDG_CONFIG_DIRS: tempFolder(), HOME: tempFolder() }, cache: new Map(), root: tempFolder() });
    expect(readiness.drivers.filter((d) => d.manifest.startsWith(data))).toEqual([{ manifest: path.join(data, 'vulkan', 'icd.d', 'nvidia_icd.json'), library: null, software: false }]);
    expect(readiness.renderNodes).toEqual([]);
  });
});
