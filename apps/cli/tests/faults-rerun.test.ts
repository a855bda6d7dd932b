import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eachSideBySide, expectFailureAt, expectWholeOrAbsent, faultRun, faultRunAsync, fileOperations, killPoints, publishedSet } from './fixtures/fault-run.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mp-faults-rerun-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A folder holding a complete run (seed 0) is rerun with --seed 1: new prompts, new statistics and
// every output replaced. Whatever stops the rerun, a reader finds the whole old set or the whole new one.
const NEW_RUN = ['--seed', '1'];
const oldRun = path.join(dir, 'old');
const newRun = path.join(dir, 'new');
let oldSet: Record<string, string>;
let newSet: Record<string, string>;
let rerunOperations: string[];

function freshCopyOfOld(out: string): void {
  rmSync(out, { recursive: true, force: true });
  cpSync(oldRun, out, { recursive: true });
}

describe('a rerun into a folder with a complete set', () => {
  beforeAll(() => {
    expect(faultRun(oldRun).status).toBe(0);
    oldSet = publishedSet(oldRun);
    cpSync(oldRun, newRun, { recursive: true });
    expect(faultRun(newRun, NEW_RUN).status).toBe(0);
    newSet = publishedSet(newRun);
    expect(newSet['results.json']).not.toEqual(oldSet['results.json']);
    const counted = path.join(dir, 'counted');
    freshCopyOfOld(counted);
    rerunOperations = fileOperations(counted, path.join(dir, 'operations.log'), NEW_RUN);
  }, 120_000);

  it('killed with -9 at each file-creation point, shows the whole old or the whole new set, and its rerun gives the new set', async () => {
    const points = killPoints(rerunOperations);
    expect(points.length).toBeGreaterThan(20);
    let sawOld = false;
    let sawNew = false;
    await eachSideBySide(points, async (point, slot) => {
      const out = path.join(dir, `kill-${slot}`);
      freshCopyOfOld(out);
      const killed = await faultRunAsync(out, NEW_RUN, 'kill', {
        KILL_ROOT: out,
        KILL_AT: String(point),
      });
      expect(killed.signal, `kill at operation ${point}`).toBe('SIGKILL');
      expect(await expectWholeOrAbsent(out)).toBe('whole');
      const seen = publishedSet(out);
      const isOld = JSON.stringify(seen) === JSON.stringify(oldSet);
      const isNew = JSON.stringify(seen) === JSON.stringify(newSet);
      expect(isOld || isNew, `after a kill at operation ${point} the folder mixes the two sets`).toBe(true);
      sawOld ||= isOld;
      sawNew ||= isNew;
      const rerun = await faultRunAsync(out, NEW_RUN);
      expect(rerun.status, `rerun after a kill at operation ${point}: ${rerun.stderr}`).toBe(0);
      expect(publishedSet(out), `outputs after a kill at operation ${point}`).toEqual(newSet);
    });
    // Kills before the seal leave the old set; kills after it leave a seal that completes to the new one.
    expect(sawOld && sawNew).toBe(true);
  }, 600_000);

  /** The first operation of each stage of the rerun: prompts cache, staging, publishing, the manifest. */
  function stageStarts(): Record<string, number> {
    const first = (pattern: RegExp) => {
      const line = rerunOperations.find((l) => pattern.test(l.split(' ')[2] ?? ''));
      if (line === undefined) throw new Error(`no operation on ${pattern}`);
      return Number(line.split(' ')[0]);
    };
    return {
      lock: first(/^\.moral-plantain\.lock$/),
      'prompt cache': first(/^\.cache\/prompts\//),
      'staged outputs': first(/^\.outputs-next\/.+/),
      'publishing into the run folder': first(/^(README\.md|activations\.safetensors|results\.json)$/),
    };
  }

  for (const code of ['ENOSPC', 'EROFS']) {
    it(`with ${code} from the start of each stage on, fails with one clear sentence and exit 2, keeps a whole set, and a clean rerun gives the new set`, async () => {
      const stages = Object.entries(stageStarts());
      await eachSideBySide(stages, async ([stage, point], slot) => {
        const out = path.join(dir, `${code}-${slot}`);
        freshCopyOfOld(out);
        await expectFailureAt(out, NEW_RUN, point, code, stage);
        expect(await expectWholeOrAbsent(out)).toBe('whole');
        const seen = JSON.stringify(publishedSet(out));
        expect(seen === JSON.stringify(oldSet) || seen === JSON.stringify(newSet), `${code} at the ${stage} mixes the sets`).toBe(true);
        const rerun = await faultRunAsync(out, NEW_RUN);
        expect(rerun.status, `clean rerun after ${code} at the ${stage}: ${rerun.stderr}`).toBe(0);
        expect(publishedSet(out)).toEqual(newSet);
      });
    }, 300_000);
  }
});
