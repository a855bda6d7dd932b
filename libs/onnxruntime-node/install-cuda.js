#!/usr/bin/env node
'use strict';
// Downloads the CUDA execution provider libraries of this package, on request: it runs
// onnxruntime-node's own installer (script/install.js) with the CUDA flag, from this package's
// folder, so the libraries land beside the onnxruntime library that loads them. Usage:
//   install-cuda.js [--force]     (--force downloads again when they are already there)
// Exit status: 0 installed (or already there), 1 the download failed (nothing is left half
// installed), 2 not available on this platform or a bad argument.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const { cudaProvider } = require('./cuda.js');

process.exitCode = main(process.argv.slice(2));

function main(args) {
  const unknown = args.filter((a) => a !== '--force' && a !== '--help' && a !== '-h');
  if (args.includes('--help') || args.includes('-h')) {
    console.log('Usage: install-cuda [--force]\nDownloads the CUDA execution provider libraries of onnxruntime-node (Linux x64) from NuGet into this package.');
    return 0;
  }
  if (unknown.length > 0) {
    console.error(`error: unknown argument ${unknown[0]}\nUsage: install-cuda [--force]`);
    return 2;
  }
  const before = cudaProvider();
  if (!before.supported) {
    console.error(`error: onnxruntime-node has no CUDA execution provider for ${before.platform} (only for linux/x64).\nUse --device cpu, or on Windows and macOS --device webgpu.`);
    return 2;
  }
  if (before.installed && !args.includes('--force')) {
    console.log(`The CUDA provider libraries are already installed in ${before.directory} (--force downloads them again).`);
    return 0;
  }
  const from = before.source ? `${before.source.nuget} ${before.source.version}` : 'NuGet';
  console.log(`Downloading the CUDA provider libraries (${from}, from api.nuget.org) into ${before.directory}`);
  // The installer reads its flag from these variables before its arguments: a "skip" left in the environment (as in CI) must not silence it.
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (/^(ONNXRUNTIME_NODE_INSTALL(_CUDA)?|npm_config_onnxruntime_node_install(_cuda)?)$/i.test(name)) delete env[name];
  const run = spawnSync(process.execPath, ['script/install.js', before.installFlag], { cwd: __dirname, env, stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' });
  const after = cudaProvider();
  if (run.status === 0 && after.installed) {
    console.log(`Installed:\n${after.files.map((f) => `  ${f.file}`).join('\n')}`);
    console.log('They need CUDA 13.x and cuDNN 9 on the library path at run time (LD_LIBRARY_PATH or the system loader). Then: --device cuda.');
    return 0;
  }
  // A failed or partial download leaves nothing that looks installed.
  for (const f of after.files) if (f.present && !before.files.find((b) => b.file === f.file)?.present) fs.rmSync(f.file, { force: true });
  const cause = lastError(run.stderr ?? '') ?? (run.error ? run.error.message : `the installer exited with status ${run.status}`);
  console.error(`error: downloading the CUDA provider libraries failed: ${cause}.`);
  console.error('This step needs HTTPS access to api.nuget.org (behind a proxy, set GLOBAL_AGENT_HTTPS_PROXY). Without it, use --device cpu.');
  return 1;
}

/** The last `Error: ...` line of the installer's output, without the word "Error". */
function lastError(stderr) {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => /^(\w*Error|error)\b/.test(l));
  const line = lines[lines.length - 1];
  return line === undefined ? null : line.replace(/^\w*Error:\s*/, '').replace(/\.$/, '');
}
