import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalJson, writeFileAtomic } from '../src/index.js';

describe('writeFileAtomic', () => {
  it('creates missing folders, replaces the target and leaves no temporary file', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'mp-atomic-'));
    const file = path.join(dir, 'a', 'b', 'out.json');
    await writeFileAtomic(file, 'first');
    await writeFileAtomic(file, new TextEncoder().encode('second'));
    expect(await readFile(file, 'utf8')).toBe('second');
    expect(await readdir(path.dirname(file))).toEqual(['out.json']);
  });

  it('fails without touching the old file or leaving a temporary one when the rename cannot happen', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'mp-atomic-'));
    const target = path.join(dir, 'taken');
    await mkdir(path.join(target, 'inside'), { recursive: true });
    await writeFile(path.join(target, 'inside', 'keep'), 'old');
    await expect(writeFileAtomic(target, 'new')).rejects.toThrow();
    expect(await readdir(dir)).toEqual(['taken']);
    expect(await readFile(path.join(target, 'inside', 'keep'), 'utf8')).toBe('old');
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every level, drops undefined members and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 1], c: undefined, b: null } })).toBe('{"a":{"b":null,"d":[3,1]},"b":1}');
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
  });

  it('maps string values (not keys) through the given normaliser', () => {
    expect(canonicalJson({ 'K ': ' v ' }, { string: (s) => s.trim() })).toBe('{"K ":"v"}');
  });
});
