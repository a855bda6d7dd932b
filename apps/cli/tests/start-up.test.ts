import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encodeActivations } from '@moral-plantain/formats';
import { describe, expect, it } from 'vitest';

const bin = path.join(import.meta.dirname, '..', 'bin', 'moral-plantain.js');
const recorder = path.join(import.meta.dirname, 'fixtures', 'record-imports.mjs');
const dir = mkdtempSync(path.join(tmpdir(), 'mp-start-'));

/** Which packages' code each file of the CLI's bundle holds, as the bundle script recorded it. */
const bundled = JSON.parse(readFileSync(path.join(import.meta.dirname, '..', 'dist', 'bundle', 'packages.json'), 'utf8')) as Record<string, string[]>;

/** Runs the CLI and returns the URL of every module it loaded. */
function modulesLoaded(...args: string[]): string[] {
  const record = path.join(dir, `imports-${args.join('-').replace(/[^a-z0-9-]/gi, '_')}.txt`);
  writeFileSync(record, '');
  const res = spawnSync(process.execPath, ['--import', recorder, bin, ...args], { encoding: 'utf8', env: { ...process.env, RECORD_IMPORTS_FILE: record } });
  expect(res.status, res.stderr).toBe(0);
  return readFileSync(record, 'utf8').split('\n').filter((url) => url !== '');
}

/**
 * Runs the CLI and returns the packages of every module it loaded (`@moral-plantain/stats`, `vega`,
 * ...): those in files of its bundle, and those loaded from their own packages.
 */
function packagesLoaded(...args: string[]): Set<string> {
  return packagesOf(modulesLoaded(...args));
}

/** The packages the modules at these URLs belong to. */
function packagesOf(urls: readonly string[]): Set<string> {
  const packages = new Set<string>();
  for (const url of urls) {
    const inBundle = /\/apps\/cli\/dist\/bundle\/([^/]+\.js)$/.exec(url);
    if (inBundle) {
      const held = bundled[inBundle[1]!];
      expect(held, `${inBundle[1]} is not in dist/bundle/packages.json: rebuild the CLI`).toBeDefined();
      for (const name of held ?? []) packages.add(name);
      continue;
    }
    const ours = /\/(libs|apps)\/([^/]+)\/(dist|src)\//.exec(url);
    if (ours) packages.add(`@moral-plantain/${ours[2]}`);
    const theirs = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
    if (theirs) packages.add(theirs[1]!);
  }
  return packages;
}

const HEAVY = ['onnxruntime-node', '@moral-plantain/onnxruntime-node', 'onnxruntime-common', 'vega', 'vega-lite', '@bufbuild/protobuf', '@huggingface/tokenizers', '@huggingface/jinja'];

describe('start-up', () => {
  it('prints the version loading no library at all', () => {
    const loaded = packagesLoaded('--version');
    expect(loaded.has('@moral-plantain/cli') && loaded.has('commander')).toBe(true);
    expect([...loaded].filter((p) => p.startsWith('@moral-plantain/') && p !== '@moral-plantain/cli')).toEqual([]);
    for (const heavy of [...HEAVY, 'fp-ts', 'yaml']) expect(loaded.has(heavy), heavy).toBe(false);
  });

  it.each([['run'], ['env']])('prints %s --help with the defaults from the libraries, loading no model code and not ONNX Runtime', (command) => {
    const urls = modulesLoaded(command, '--help');
    const loaded = packagesOf(urls);
    expect(loaded.has('@moral-plantain/study') && loaded.has('@moral-plantain/model-builder')).toBe(true);
    for (const absent of ['@moral-plantain/hooks', '@moral-plantain/report', '@moral-plantain/stimuli', 'yaml', ...HEAVY]) expect(loaded.has(absent), absent).toBe(false);
    // Of the runtime library, only the module of its defaults (the provider trials' timeout).
    const runtime = urls.filter((url) => /\/libs\/model-runtime\//.test(url));
    expect(runtime.map((url) => url.replace(/^.*\/libs\/model-runtime\/(dist|src)\//, ''))).toEqual([expect.stringMatching(/^environment\/environment-defaults\.(js|ts)$/)]);
  });

  it('runs stats with the statistics and the file formats only', () => {
    const file = path.join(dir, 'activations.safetensors');
    const values = Array.from({ length: 8 * 3 }, (_, i) => Math.sin(i));
    writeFileSync(file, encodeActivations({ nPairs: 8, nUnits: 3, a: values, b: values.map((v) => v / 2), pairs: null, groups: null, metadata: {} }));
    const loaded = packagesLoaded('stats', file, '--permutations', '50', '--splits', '0', '--out', path.join(dir, 'results.json'));
    expect(loaded.has('@moral-plantain/stats') && loaded.has('@moral-plantain/formats')).toBe(true);
    for (const absent of ['@moral-plantain/report', '@moral-plantain/model-runtime', '@moral-plantain/model-builder', '@moral-plantain/study', '@moral-plantain/hooks', 'yaml', ...HEAVY]) expect(loaded.has(absent), absent).toBe(false);
  });
});
