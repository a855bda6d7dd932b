import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { cudaProviderStatus } from '../../src/index.js';

/** Runs the CUDA install script with `env`, through `proxy`, and returns its exit status and output. */
function runInstallScript(args: readonly string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cudaProviderStatus().installScript, ...args], { env: { PATH: process.env['PATH'] ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** A proxy on the loopback interface that refuses every tunnel and records where each one was meant to go. */
async function refusingProxy(): Promise<{ url: string; tunnels: string[]; close: () => Promise<void> }> {
  const tunnels: string[] = [];
  const server = http.createServer((_req, res) => res.writeHead(403).end());
  server.on('connect', (req, socket) => {
    tunnels.push(req.url ?? '');
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, tunnels, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('the CUDA execution provider libraries', () => {
  it.runIf(process.platform === 'linux' && process.arch === 'x64')('are looked for beside the ONNX Runtime library that sessions load', () => {
    const status = cudaProviderStatus();
    expect(status).toMatchObject({ platform: 'linux/x64', supported: true, installFlag: '--onnxruntime-node-install=cuda12', source: { nuget: 'Microsoft.ML.OnnxRuntime.Gpu.Linux', version: '1.30.0' } });
    expect(existsSync(path.join(status.directory, 'libonnxruntime.so.1'))).toBe(true);
    expect(status.files.map((f) => path.basename(f.file)).sort()).toEqual(['libonnxruntime_providers_cuda.so', 'libonnxruntime_providers_shared.so', 'libonnxruntime_providers_tensorrt.so']);
    expect(status.files.every((f) => path.dirname(f.file) === status.directory)).toBe(true);
    expect(status.installed).toBe(status.files.every((f) => existsSync(f.file)));
  });

  it.runIf(process.platform === 'linux' && process.arch === 'x64' && !cudaProviderStatus().installed)(
    'are downloaded only on request, from NuGet, even with a skip left in the environment; a failed download leaves none behind',
    async () => {
      const proxy = await refusingProxy();
      try {
        const run = await runInstallScript([], { GLOBAL_AGENT_HTTPS_PROXY: proxy.url, ONNXRUNTIME_NODE_INSTALL: 'skip', npm_config_onnxruntime_node_install: 'skip' });
        expect(run.status).toBe(1);
        expect(proxy.tunnels).toEqual(['api.nuget.org:443']);
        expect(run.stdout).toContain('Microsoft.ML.OnnxRuntime.Gpu.Linux 1.30.0');
        expect(run.stderr).toMatch(/^error: downloading the CUDA provider libraries failed: .*refused.*api\.nuget\.org.*\.\n/);
        expect(run.stderr).toContain('--device cpu');
        expect(cudaProviderStatus().files.some((f) => existsSync(f.file))).toBe(false);
      } finally {
        await proxy.close();
      }
    },
  );

  it('refuses an unknown argument with exit status 2', async () => {
    const run = await runInstallScript(['--cuda-version=12'], {});
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('unknown argument --cuda-version=12');
  });
});
