import { closeSync, openSync, readSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import { errorReason } from '@moral-plantain/formats';

/** What the dynamic loader reads of a shared library: who it is built for and what it links. */
export interface ElfInfo {
  /** 32 or 64 (ELFCLASS). */
  readonly elfClass: 32 | 64;
  /** The `e_machine` code: 62 x86-64, 183 AArch64, ... */
  readonly machine: number;
  /** The dynamic section, or null for a static object. */
  readonly dynamic: ElfDynamic | null;
}

/** The dynamic section's names: `DT_NEEDED`, `DT_SONAME`, `DT_RUNPATH` and `DT_RPATH` (paths split on `:`). */
export interface ElfDynamic {
  readonly needed: readonly string[];
  readonly soname: string | null;
  readonly runpath: readonly string[];
  readonly rpath: readonly string[];
}

/** Why a file could not be read as an ELF object. */
export type ElfError = { readonly _tag: 'ElfUnreadable'; readonly file: string; readonly reason: string } | { readonly _tag: 'NotElf'; readonly file: string; readonly reason: string };

/** `e_machine` codes of the architectures Node.js names in `process.arch`. */
const MACHINES: Readonly<Record<string, number>> = { x64: 62, arm64: 183, ia32: 3, arm: 40, ppc64: 21, s390x: 22, riscv64: 243, loong64: 258 };

/** The ELF class and machine a library must have to load into a process of this architecture (null for an unknown one). */
export function elfTargetOf(arch: string = process.arch): { readonly elfClass: 32 | 64; readonly machine: number } | null {
  const machine = MACHINES[arch];
  if (machine === undefined) return null;
  return { elfClass: arch === 'ia32' || arch === 'arm' ? 32 : 64, machine };
}

/**
 * Reads an ELF file's class, machine and dynamic section, as `readelf -d` shows them. Only the
 * headers, the dynamic segment and its string table are read, so a library of hundreds of MB
 * costs a few small reads.
 */
export function readElfInfo(file: string): E.Either<ElfError, ElfInfo> {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    return E.left({ _tag: 'ElfUnreadable', file, reason: errorReason(error) });
  }
  try {
    return parseElf(file, (position, length) => {
      const buffer = Buffer.alloc(length);
      const read = readSync(fd, buffer, 0, length, position);
      return buffer.subarray(0, read);
    });
  } catch (error) {
    return E.left({ _tag: 'ElfUnreadable', file, reason: errorReason(error) });
  } finally {
    closeSync(fd);
  }
}

/** Reads `length` bytes at `position` (fewer at the end of the file). */
type ReadAt = (position: number, length: number) => Uint8Array;

const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const DT_NEEDED = 1;
const DT_STRTAB = 5;
const DT_STRSZ = 10;
const DT_SONAME = 14;
const DT_RPATH = 15;
const DT_RUNPATH = 29;
/** Bounds that keep a corrupt header from asking for absurd reads. */
const MAX_PROGRAM_HEADERS = 4096;
const MAX_DYNAMIC_BYTES = 1 << 20;
const MAX_STRING_TABLE_BYTES = 64 << 20;

function parseElf(file: string, readAt: ReadAt): E.Either<ElfError, ElfInfo> {
  const notElf = (reason: string) => E.left<ElfError, never>({ _tag: 'NotElf', file, reason });
  const ident = readAt(0, 64);
  if (ident.length < 52 || ident[0] !== 0x7f || ident[1] !== 0x45 || ident[2] !== 0x4c || ident[3] !== 0x46) {
    return notElf(ident.length === 0 ? 'the file is empty' : 'it does not start with the ELF magic number');
  }
  const elfClass = ident[4] === 1 ? 32 : ident[4] === 2 ? 64 : null;
  const little = ident[5] === 1 ? true : ident[5] === 2 ? false : null;
  if (elfClass === null || little === null) return notElf('its ELF class or byte order is invalid');
  const header = new DataView(ident.buffer, ident.byteOffset, ident.byteLength);
  const machine = header.getUint16(18, little);
  const wide = elfClass === 64;
  if (wide && ident.length < 64) return notElf('its ELF header is truncated');
  const phoff = wide ? Number(header.getBigUint64(32, little)) : header.getUint32(28, little);
  const phentsize = header.getUint16(wide ? 54 : 42, little);
  const phnum = header.getUint16(wide ? 56 : 44, little);
  if (phnum > MAX_PROGRAM_HEADERS || phentsize < (wide ? 56 : 32)) return notElf('its program header table is invalid');

  const table = readAt(phoff, phnum * phentsize);
  if (table.length < phnum * phentsize) return notElf('its program header table is truncated');
  const view = new DataView(table.buffer, table.byteOffset, table.byteLength);
  const segments: { type: number; offset: number; vaddr: number; filesz: number }[] = [];
  for (let i = 0; i < phnum; i++) {
    const at = i * phentsize;
    segments.push(
      wide
        ? { type: view.getUint32(at, little), offset: Number(view.getBigUint64(at + 8, little)), vaddr: Number(view.getBigUint64(at + 16, little)), filesz: Number(view.getBigUint64(at + 32, little)) }
        : { type: view.getUint32(at, little), offset: view.getUint32(at + 4, little), vaddr: view.getUint32(at + 8, little), filesz: view.getUint32(at + 16, little) },
    );
  }
  const dynamicSegment = segments.find((s) => s.type === PT_DYNAMIC);
  if (!dynamicSegment) return E.right({ elfClass, machine, dynamic: null });
  if (dynamicSegment.filesz > MAX_DYNAMIC_BYTES) return notElf('its dynamic segment is implausibly large');

  const dynamicBytes = readAt(dynamicSegment.offset, dynamicSegment.filesz);
  const dynamicView = new DataView(dynamicBytes.buffer, dynamicBytes.byteOffset, dynamicBytes.byteLength);
  const entrySize = wide ? 16 : 8;
  const entries: { tag: number; value: number }[] = [];
  for (let at = 0; at + entrySize <= dynamicBytes.length; at += entrySize) {
    const tag = wide ? Number(dynamicView.getBigInt64(at, little)) : dynamicView.getInt32(at, little);
    if (tag === 0) break;
    entries.push({ tag, value: wide ? Number(dynamicView.getBigUint64(at + 8, little)) : dynamicView.getUint32(at + 4, little) });
  }
  const strtab = entries.find((e) => e.tag === DT_STRTAB)?.value;
  const strsz = entries.find((e) => e.tag === DT_STRSZ)?.value;
  if (strtab === undefined || strsz === undefined || strsz > MAX_STRING_TABLE_BYTES) return notElf('its dynamic section has no usable string table');
  // DT_STRTAB is an address: the file offset is found through the loadable segment that maps it.
  const load = segments.find((s) => s.type === PT_LOAD && strtab >= s.vaddr && strtab < s.vaddr + s.filesz);
  if (!load) return notElf('its string table lies outside every loadable segment');
  const strings = readAt(strtab - load.vaddr + load.offset, strsz);
  const text = (offset: number) => {
    const end = strings.indexOf(0, offset);
    return Buffer.from(strings.subarray(offset, end < 0 ? strings.length : end)).toString('utf8');
  };
  const paths = (tag: number) => entries.filter((e) => e.tag === tag).flatMap((e) => text(e.value).split(':').filter((p) => p !== ''));
  const soname = entries.find((e) => e.tag === DT_SONAME);
  return E.right({
    elfClass,
    machine,
    dynamic: { needed: entries.filter((e) => e.tag === DT_NEEDED).map((e) => text(e.value)), soname: soname ? text(soname.value) : null, runpath: paths(DT_RUNPATH), rpath: paths(DT_RPATH) },
  });
}
