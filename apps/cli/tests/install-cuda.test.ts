import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { cudaProviderStatus } from '@moral-plantain/model-runtime';

const bin = new URL('../bin/moral-plantain.js', import.meta.url).pathname;

/** Runs the built CLI with `env` (and PATH) only, asynchronously so a proxy in this process can answer it. */
function cli(args: readonly string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { PATH: process.env['PATH'] ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('moral-plantain install-cuda', () => {
  it('is listed in the help with what the libraries need', async () => {
    const help = await cli(['--help'], {});
    expect(help.stdout.replace(/\s+/g, ' ')).toMatch(/install-cuda \[options\] download the CUDA execution provider libraries .* they need CUDA 13\.x and cuDNN 9/);
  });

  it.runIf(process.platform === 'linux' && process.arch === 'x64' && !cudaProviderStatus().installed)(
    "downloads through ONNX Runtime's installer only when run, and reports a failed download as one error",
    async () => {
      // A proxy on the loopback interface that refuses every tunnel: nothing leaves this machine.
      const tunnels: string[] = [];
      const proxy = http.createServer((_req, res) => res.writeHead(403).end());
      proxy.on('connect', (req, socket) => {
        tunnels.push(req.url ?? '');
        socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      });
      await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
      try {
        const res = await cli(['install-cuda'], { GLOBAL_AGENT_HTTPS_PROXY: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, ONNXRUNTIME_NODE_INSTALL: 'skip' });
        expect(res.status).toBe(1);
        expect(tunnels).toEqual(['api.nuget.org:443']);
        expect(res.stdout).toContain('Downloading the CUDA provider libraries (Microsoft.ML.OnnxRuntime.Gpu.Linux 1.30.0');
        expect(res.stderr).toMatch(/^error: downloading the CUDA provider libraries failed: [^\n]*api\.nuget\.org[^\n]*\n {2}This step needs HTTPS access to api\.nuget\.org.*--device cpu\.\n$/);
        expect(cudaProviderStatus().files.some((f) => f.present)).toBe(false);
      } finally {
        await new Promise((resolve) => proxy.close(resolve));
      }
    },
  );
});
