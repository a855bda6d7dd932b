import { describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { cudaProviderStatus } from '../../src/index.js';

/** Runs the CUDA install script (by default the package's own) with `env` only, and returns its exit status and output. */
function runInstallScript(args: readonly string[], env: Record<string, string>, script = cudaProviderStatus().installScript): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args], { env: { PATH: process.env['PATH'] ?? '', ...env }, timeout: 30_000 });
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

/** A zip archive (stored, not compressed) of `files`, as a NuGet package is. */
function zipOf(files: Record<string, Buffer>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of Object.entries(files)) {
    const nameBytes = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc32(data), 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc32(data), 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/**
 * A stand-in for api.nuget.org on the loopback interface: a proxy that opens every tunnel into a
 * local HTTPS server with a certificate for api.nuget.org (trusted through NODE_EXTRA_CA_CERTS),
 * serving the NuGet index and a small Microsoft.ML.OnnxRuntime.Gpu.Linux 1.30.0 package.
 */
async function fakeNuget(dir: string, libraries: Record<string, Buffer>) {
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  // global-agent checks a tunnelled server's certificate against the name "localhost" as well.
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-subj', '/CN=api.nuget.org', '-addext', 'subjectAltName=DNS:api.nuget.org,DNS:localhost', '-days', '1'], { stdio: 'ignore' });
  const base = '/v3-flatcontainer/microsoft.ml.onnxruntime.gpu.linux/';
  const nupkg = zipOf(Object.fromEntries(Object.entries(libraries).map(([file, data]) => [`runtimes/linux-x64/native/${file}`, data])));
  const routes: Record<string, { type: string; body: string | Buffer }> = {
    '/v3/index.json': { type: 'application/json', body: JSON.stringify({ resources: [{ '@type': 'PackageBaseAddress/3.0.0', '@id': 'https://api.nuget.org/v3-flatcontainer/' }] }) },
    [`${base}index.json`]: { type: 'application/json', body: JSON.stringify({ versions: ['1.29.0', '1.30.0'] }) },
    [`${base}1.30.0/microsoft.ml.onnxruntime.gpu.linux.1.30.0.nupkg`]: { type: 'application/octet-stream', body: nupkg },
  };
  const requests: string[] = [];
  const site = https.createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
    requests.push(req.url ?? '');
    const route = routes[req.url ?? ''];
    if (route) res.writeHead(200, { 'content-type': route.type }).end(route.body);
    else res.writeHead(404).end();
  });
  const tunnels: string[] = [];
  const proxy = http.createServer((_req, res) => res.writeHead(403).end());
  proxy.on('connect', (req, socket) => {
    tunnels.push(req.url ?? '');
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    site.emit('connection', socket);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    env: { GLOBAL_AGENT_HTTPS_PROXY: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, NODE_EXTRA_CA_CERTS: cert },
    requests,
    tunnels,
    close: () => new Promise<void>((resolve) => proxy.close(() => resolve())),
  };
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

  it.runIf(process.platform === 'linux' && process.arch === 'x64')(
    'are fetched by onnxruntime-node\'s installer from the NuGet package into the folder ONNX Runtime loads them from',
    async () => {
      // A copy of the package's installer and manifests (not its libraries), so the real package stays as it is.
      const dir = mkdtempSync(path.join(tmpdir(), 'mp-cuda-install-'));
      const pkg = path.join(dir, 'onnxruntime-node');
      const source = path.dirname(cudaProviderStatus().installScript);
      for (const entry of ['package.json', 'cuda.js', 'install-cuda.js', 'script']) cpSync(path.join(source, entry), path.join(pkg, entry), { recursive: true });
      mkdirSync(path.join(pkg, 'bin', 'napi-v6', 'linux', 'x64'), { recursive: true });
      const libraries = Object.fromEntries(['libonnxruntime_providers_cuda.so', 'libonnxruntime_providers_shared.so', 'libonnxruntime_providers_tensorrt.so'].map((f) => [f, Buffer.from(`stand-in for ${f}`)]));
      const nuget = await fakeNuget(dir, libraries);
      try {
        const env = { ...nuget.env, NODE_PATH: path.join(source, '..', '..', 'node_modules'), ONNXRUNTIME_NODE_INSTALL: 'skip' };
        const run = await runInstallScript([], env, path.join(pkg, 'install-cuda.js'));
        expect(run.status, run.stderr).toBe(0);
        expect(nuget.tunnels.every((t) => t === 'api.nuget.org:443')).toBe(true);
        expect(nuget.requests).toEqual(['/v3/index.json', '/v3-flatcontainer/microsoft.ml.onnxruntime.gpu.linux/index.json', '/v3-flatcontainer/microsoft.ml.onnxruntime.gpu.linux/1.30.0/microsoft.ml.onnxruntime.gpu.linux.1.30.0.nupkg']);
        for (const [file, data] of Object.entries(libraries)) expect(readFileSync(path.join(pkg, 'bin', 'napi-v6', 'linux', 'x64', file)).equals(data), file).toBe(true);
        expect(run.stdout).toContain('They need CUDA 13.x and cuDNN 9');
        // Installed: a second run downloads nothing.
        const again = await runInstallScript([], env, path.join(pkg, 'install-cuda.js'));
        expect(again.status).toBe(0);
        expect(again.stdout).toContain('already installed');
        expect(nuget.requests).toHaveLength(3);
      } finally {
        await nuget.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
    60_000,
  );
});
