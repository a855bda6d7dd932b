import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eachSideBySide, expectFailureAt, expectWholeOrAbsent, faultRun, faultRunAsync, fileOperations, killPoints, publishedSet } from './fixtures/fault-run.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mp-faults-first-'));
let expected: Record<string, string>;
let operations: string[];
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('kill -9 during a first run', () => {
  beforeAll(() => {
    const reference = path.join(dir, 'reference');
    expect(faultRun(reference).status).toBe(0);
    expected = publishedSet(reference);
    operations = fileOperations(path.join(dir, 'counted'), path.join(dir, 'operations.log'));
  }, 120_000);

  it('leaves every folder whole or absent at each file-creation point, and the rerun gives the uninterrupted outputs byte for byte', async () => {
    const points = killPoints(operations);
    // The embedded model, the tapped graph, text embeddings, prompts, staging, each published output and outputs.json.
    expect(points.length).toBeGreaterThan(30);
    await eachSideBySide(points, async (point, slot) => {
      const out = path.join(dir, `out-${slot}`);
      rmSync(out, { recursive: true, force: true });
      const killed = await faultRunAsync(out, [], 'kill', {
        KILL_ROOT: out,
        KILL_AT: String(point),
      });
      expect(killed.signal, `kill at operation ${point}`).toBe('SIGKILL');
      await expectWholeOrAbsent(out);
      const rerun = await faultRunAsync(out);
      expect(rerun.status, `rerun after a kill at operation ${point}: ${rerun.stderr}`).toBe(0);
      expect(publishedSet(out), `outputs after a kill at operation ${point}`).toEqual(expected);
    });
  }, 900_000);

  /** The first operation of the embedded model's build, of the tapped graph's, of the embedding cache and of the prompt cache. */
  function cacheStageStarts(): [string, number][] {
    const first = (pattern: RegExp) => Number(operations.find((l) => pattern.test(l.split(' ')[2] ?? ''))?.split(' ')[0]);
    return [
      ['embedded model build', first(/^\.cache\/\.model-tiny\.partial-/)],
      ['tapped graph', first(/^\.cache\/tapped/)],
      ['embedding cache', first(/^\.cache\/embeddings/)],
      ['prompt cache', first(/^\.cache\/prompts/)],
    ];
  }

  for (const code of ['ENOSPC', 'EACCES']) {
    it(`with ${code} from the start of each cache stage on, fails with one clear sentence and exit 2, leaves no partial folder, and a clean rerun gives the reference`, async () => {
      const stages = cacheStageStarts();
      for (const [stage, point] of stages) expect(Number.isInteger(point), `${stage} has a first operation`).toBe(true);
      await eachSideBySide(stages, async ([stage, point], slot) => {
        const out = path.join(dir, `${code}-${slot}`);
        rmSync(out, { recursive: true, force: true });
        await expectFailureAt(out, [], point, code, stage);
        expect(await expectWholeOrAbsent(out)).toBe('absent');
        const rerun = await faultRunAsync(out);
        expect(rerun.status, `clean rerun after ${code} at the ${stage}: ${rerun.stderr}`).toBe(0);
        expect(publishedSet(out)).toEqual(expected);
      });
    }, 300_000);
  }
});
