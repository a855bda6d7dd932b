import { writeFileAtomic } from './atomic-write.js';

/** The text of a JSON file as moral-plantain writes them: two-space indented, with a final newline. */
export function jsonFileText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Writes a value as a JSON file (`jsonFileText`), atomically and durably (see `writeFileAtomic`). */
export async function writeJsonFile(file: string, value: unknown): Promise<void> {
  await writeFileAtomic(file, jsonFileText(value));
}
