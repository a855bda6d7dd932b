import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { commitFolder, hostName, processState, stagingFolder } from '../src/index.js';

describe('staging folders on a disk that several machines share', () => {
  it('removes what dead builds of this machine left, and leaves other machines\' alone', async () => {
    const parent = mkdtempSync(path.join(tmpdir(), 'mp-atomic-folder-'));
    const target = path.join(parent, 'model');
    const leftovers = {
      deadHere: `.model.partial-${hostName()}-4194305-0123456789ab`,
      deadHereOldName: '.model.old-4194305-0123456789ab',
      liveHere: `.model.partial-${hostName()}-${process.pid}-0123456789ab`,
      otherMachine: '.model.partial-gpu-node-7-4194305-0123456789ab',
    };
    for (const name of Object.values(leftovers)) mkdirSync(path.join(parent, name));
    const staging = await stagingFolder(target);
    expect(path.basename(staging)).toMatch(new RegExp(`^\\.model\\.partial-${hostName().replace(/\./g, '\\.')}-${process.pid}-[0-9a-f]{12}$`));
    const left = readdirSync(parent);
    expect(left).not.toContain(leftovers.deadHere);
    expect(left).not.toContain(leftovers.deadHereOldName);
    expect(left).toContain(leftovers.liveHere);
    expect(left).toContain(leftovers.otherMachine);
    writeFileSync(path.join(staging, 'model.json'), '{}');
    await commitFolder(staging, target);
    expect(existsSync(path.join(target, 'model.json'))).toBe(true);
  });

  it('tells running and gone processes apart on this machine only', () => {
    expect(processState(hostName(), process.pid)).toBe('running');
    expect(processState(hostName(), 4_194_305)).toBe('gone');
    expect(processState('gpu-node-7', process.pid)).toBe('unknown');
  });
});
