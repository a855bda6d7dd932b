import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('cli', () => {
  it('runs the built binary', () => {
    const out = execFileSync(process.execPath, ['bin/moral-plantain.js', 'x'], { cwd: import.meta.dirname + '/..' });
    expect(out.toString()).toContain('moral-plantain x');
  });
});
