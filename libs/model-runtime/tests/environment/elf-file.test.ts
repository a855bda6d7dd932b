import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { elfTargetOf, readElfInfo } from '../../src/index.js';
import { REAL_LIBRARY, tempFolder } from './fake-libraries.js';

const readelf = spawnSync('readelf', ['--version']).status === 0;

/** DT_NEEDED, SONAME and RUNPATH as binutils' `readelf -d` prints them: the independent reference. */
function readelfDynamic(file: string): { needed: string[]; soname: string | null; runpath: string[] } {
  const text = execFileSync('readelf', ['-d', '-W', file], { encoding: 'utf8' });
  const all = (kind: string) => [...text.matchAll(new RegExp(`\\(${kind}\\)\\s+[^[]*\\[([^\\]]*)\\]`, 'g'))].map((m) => m[1]!);
  return { needed: all('NEEDED'), soname: all('SONAME')[0] ?? null, runpath: all('RUNPATH').flatMap((p) => p.split(':')) };
}

describe('readElfInfo', () => {
  it.skipIf(!readelf).each([
    ['the ONNX Runtime library', REAL_LIBRARY],
    ['the Node.js executable', process.execPath],
  ])('reads the dynamic section of %s as readelf -d does', (_name, file) => {
    const info = readElfInfo(file);
    if (E.isLeft(info)) throw new Error(info.left.reason);
    const reference = readelfDynamic(file);
    expect(info.right.dynamic?.needed).toEqual(reference.needed);
    expect(info.right.dynamic?.soname).toBe(reference.soname);
    expect(info.right.dynamic?.runpath).toEqual(reference.runpath);
  });

  it('gives the class, machine, soname and $ORIGIN runpath of onnxruntime-node 1.30 on this architecture', () => {
    const info = readElfInfo(REAL_LIBRARY);
    if (E.isLeft(info)) throw new Error(info.left.reason);
    expect({ elfClass: info.right.elfClass, machine: info.right.machine }).toEqual(elfTargetOf());
    expect(info.right.dynamic).toMatchObject({ soname: 'libonnxruntime.so.1', runpath: ['$ORIGIN'], rpath: [] });
    expect(info.right.dynamic?.needed).toContain('libc.so.6');
  });

  it('says why an empty file, a text file and a truncated library are not ELF objects', () => {
    const dir = tempFolder();
    const empty = path.join(dir, 'libempty.so.1');
    writeFileSync(empty, '');
    const text = path.join(dir, 'libtext.so.1');
    writeFileSync(text, 'INPUT(-lfoo)\n');
    const truncated = path.join(dir, 'libtruncated.so.1');
    writeFileSync(truncated, readFileSync(REAL_LIBRARY).subarray(0, 40));
    expect(readElfInfo(empty)).toEqual(E.left({ _tag: 'NotElf', file: empty, reason: 'the file is empty' }));
    expect(readElfInfo(text)).toEqual(E.left({ _tag: 'NotElf', file: text, reason: 'it does not start with the ELF magic number' }));
    expect(E.isLeft(readElfInfo(truncated))).toBe(true);
    expect(readElfInfo(path.join(dir, 'absent.so'))).toEqual(E.left({ _tag: 'ElfUnreadable', file: path.join(dir, 'absent.so'), reason: 'ENOENT' }));
  });
});
