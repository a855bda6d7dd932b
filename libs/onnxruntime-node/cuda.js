'use strict';
// The CUDA execution provider of this package: which libraries it needs on this platform, where
// they go, whether they are there, and how to fetch them. onnxruntime-node ships them for no
// platform (they are too large for the npm registry); its installer (script/install.js) downloads
// them from a NuGet package, which here runs only when asked (install-cuda.js).
const fs = require('node:fs');
const path = require('node:path');
const metadata = require('./script/install-metadata.js');

/** The flag that makes onnxruntime-node's installer fetch the CUDA libraries ("cuda12" is the name of its one Linux x64 manifest). */
const INSTALL_FLAG = '--onnxruntime-node-install=cuda12';

/** Where the CUDA provider libraries of this package go on `platform`/`arch`, and which of them are there. */
function cudaProvider(platform = process.platform, arch = process.arch) {
  const key = `${platform}/${arch}`;
  const directory = path.join(__dirname, 'bin', 'napi-v6', platform, arch);
  const manifests = metadata.requirements[key] ?? [];
  const files = manifests.flatMap((name) => Object.keys(metadata.manifests[`${key}:${name}`] ?? {})).map((file) => {
    const full = path.join(directory, file);
    return { file: full, present: fs.existsSync(full) };
  });
  const sources = manifests.flatMap((name) => Object.values(metadata.manifests[`${key}:${name}`] ?? {}).map((entry) => entry.package));
  const source = [...new Set(sources)].map((id) => metadata.packages[id]).find((p) => p !== undefined);
  return {
    platform: key,
    supported: files.length > 0,
    installed: files.length > 0 && files.every((f) => f.present),
    directory,
    files,
    source: source ? { nuget: source.name, version: source.versions[0]?.version ?? 'unknown' } : null,
    installScript: path.join(__dirname, 'install-cuda.js'),
    installFlag: INSTALL_FLAG,
  };
}

module.exports = { cudaProvider, INSTALL_FLAG };
