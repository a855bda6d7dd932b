import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UNIT_CSV_FILE, writeReport } from '../src/index.js';
import { publishedResults } from './fixtures/published-results.js';
import { tinyProvenance } from './fixtures/provenance.js';

describe('writeReport', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'report-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes README.md, the CSV and every figure the README links, and leaves no temporary files', async () => {
    const written = await writeReport(dir, { results: publishedResults(), provenance: tinyProvenance() })();
    expect(E.isRight(written)).toBe(true);
    const readme = await readFile(path.join(dir, 'README.md'), 'utf8');
    const linked = [...readme.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1] ?? '');
    expect(linked).toEqual(['figures/abs-t-by-block.svg', 'figures/t-histogram.svg', 'figures/threshold-counts.svg', 'figures/split-half.svg']);
    for (const figure of linked) expect((await readFile(path.join(dir, figure), 'utf8')).startsWith('<svg')).toBe(true);
    expect((await readFile(path.join(dir, UNIT_CSV_FILE), 'utf8')).split('\r\n')).toHaveLength(16322);
    expect((await readdir(dir)).sort()).toEqual(['README.md', 'figures', UNIT_CSV_FILE]);
    expect((await readdir(path.join(dir, 'figures'))).sort()).toEqual(['abs-t-by-block.svg', 'split-half.svg', 't-histogram.svg', 'threshold-counts.svg']);
  });

  it('replaces an existing report in place', async () => {
    await writeFile(path.join(dir, 'README.md'), 'old');
    const written = await writeReport(dir, { results: publishedResults() })();
    expect(E.isRight(written)).toBe(true);
    expect(await readFile(path.join(dir, 'README.md'), 'utf8')).toContain('## Results');
  });

  it('fails with WriteFailed naming the path when the folder cannot be created', async () => {
    const blocker = path.join(dir, 'file');
    await writeFile(blocker, 'x');
    const written = await writeReport(path.join(blocker, 'out'), { results: publishedResults() })();
    expect(E.isLeft(written) && written.left._tag).toBe('WriteFailed');
    expect(E.isLeft(written) && written.left._tag === 'WriteFailed' && written.left.path).toContain(path.join(blocker, 'out'));
  });
});
