import path from 'node:path';
import type { ErrorDescription } from './error-description.js';

/** What the operating system says about a path, in words a user can act on, by errno code. */
const CAUSES: Readonly<Record<string, { readonly cause: string; readonly hint: string }>> = {
  EEXIST: { cause: 'something already exists there', hint: 'Choose another path, or move what is there out of the way.' },
  'EEXIST (mkdir)': { cause: 'a file stands where a folder of the path should be', hint: 'Choose another path, or move that file out of the way.' },
  EISDIR: { cause: 'it is a folder, not a file', hint: 'Give the path of a file (for example inside that folder).' },
  ENOTDIR: { cause: 'a part of the path is a file, not a folder', hint: 'Give a path whose every folder is a folder.' },
  ENOENT: { cause: 'it does not exist', hint: 'Check the path (and that its folders exist).' },
  EACCES: { cause: 'permission denied', hint: 'Choose a place you may write to, or change its permissions.' },
  EPERM: { cause: 'the operation is not permitted', hint: 'Choose a place you may write to, or change its permissions.' },
  EROFS: { cause: 'the file system is read-only', hint: 'Choose a place on a writable disk.' },
  ENOSPC: { cause: 'no space is left on the disk', hint: 'Free some space on that disk, or write somewhere else.' },
  EDQUOT: { cause: 'the disk quota is used up', hint: 'Free some space in your quota, or write somewhere else.' },
  EMFILE: { cause: 'too many files are open', hint: 'Raise the open-file limit (ulimit -n) and run again.' },
  ENFILE: { cause: 'the system has too many files open', hint: 'Close other programs or raise the system limit, and run again.' },
  ENAMETOOLONG: { cause: 'the path is too long', hint: 'Choose a shorter path.' },
  ELOOP: { cause: 'the path has a loop of symbolic links', hint: 'Fix the links, or give another path.' },
  EIO: { cause: 'the device reported an input/output error', hint: 'Check the disk, or write somewhere else.' },
  EBUSY: { cause: 'it is busy (in use by the system or another program)', hint: 'Close what uses it, or choose another path.' },
  ENOTEMPTY: { cause: 'the folder is not empty', hint: 'Choose an empty or new folder.' },
  EXDEV: { cause: 'it is on another file system than its temporary copy', hint: 'Choose a path on one disk.' },
};

/** What each system call was doing, as a verb phrase for a message. */
const DOING: Readonly<Record<string, string>> = {
  open: 'open',
  read: 'read',
  write: 'write',
  mkdir: 'create the folder',
  rename: 'write',
  scandir: 'list the folder',
  stat: 'read',
  lstat: 'read',
  unlink: 'remove',
  rmdir: 'remove the folder',
  rm: 'remove',
  copyfile: 'copy to',
  fsync: 'write',
  link: 'create',
  symlink: 'create',
};

/** Whether a value is an operating-system error with an errno code this module can describe. */
export function isFileSystemError(error: unknown): error is NodeJS.ErrnoException & { code: string } {
  return typeof error === 'object' && error !== null && typeof (error as NodeJS.ErrnoException).code === 'string' && (error as NodeJS.ErrnoException).code! in CAUSES;
}

/**
 * One sentence for a failed file operation, naming the path, the cause and its errno code, with
 * what to do: `Cannot write /data/out/results.json: no space is left on the disk (ENOSPC).` The
 * path is the one given, else the error's own (a temporary file of an atomic write is named by
 * its target); the verb is the one given, else the failed system call's.
 */
export function describeFileSystemError(error: NodeJS.ErrnoException, file?: string, doing?: string): ErrorDescription {
  const shown = file ?? targetOf(error.path ?? (error as { dest?: string }).dest ?? 'the path');
  // mkdir says EEXIST when a part of the path is a file (writeFileAtomic creates the folders).
  const reason = error.syscall === 'mkdir' && error.code === 'EEXIST' ? FILE_IN_PATH : (error.code ?? error.message);
  return describeFileProblem(doing ?? DOING[error.syscall ?? ''] ?? 'use', shown, reason);
}

/** The reason of a folder that cannot be created because a file stands where it or its parent would be. */
const FILE_IN_PATH = 'EEXIST (mkdir)';

/**
 * `Cannot <verb> <file>: <cause> (<CODE>).` for a reason that is an errno code, else
 * `Cannot <verb> <file> (<reason>).`: the one phrasing of a failed file operation in every package.
 * The hint is the code's remedy (free space, a writable disk, ...), except for a path that does not
 * exist, where the caller's `hint` (what the path should name) helps more.
 */
export function describeFileProblem(verb: string, file: string, reason: string, hint?: string): ErrorDescription {
  // A folder that cannot be created over an existing file.
  const key = reason === 'EEXIST' && verb.includes('folder') ? FILE_IN_PATH : reason;
  const known = CAUSES[key];
  const fallback = hint ?? 'Check the path and the disk, and run again.';
  return known
    ? { message: `Cannot ${verb} ${file}: ${known.cause} (${reason.split(' ')[0]}).`, hint: reason === 'ENOENT' && hint ? hint : known.hint }
    : { message: `Cannot ${verb} ${file} (${reason}).`, hint: fallback };
}

/** The file a temporary file of `writeFileAtomic` stands for (`.name.pid.hex.tmp` -> `name`); other paths as they are. */
function targetOf(file: string): string {
  const match = /^\.(.+)\.\d+\.[0-9a-f]{12}\.tmp$/.exec(path.basename(file));
  return match ? path.join(path.dirname(file), match[1]!) : file;
}

/** The errno code of a failed file operation (ENOSPC, ...), else the error's message: what a `reason` field holds. */
export function errorReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (typeof code === 'string' && code in CAUSES) return code;
  return error instanceof Error ? error.message : String(error);
}
