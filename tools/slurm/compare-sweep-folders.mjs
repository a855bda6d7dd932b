// Compares two sweep folders as their readers would: the sweep report's files and every cell's
// published files must be the same byte for byte, except what records time or place: the
// "finished" row of each cell's README.md, and run.json's createdAt, timings, settings.out and
// prompt counts (a merged cell reports the prompts its shards computed). Exits 1 with the
// differences listed, 0 when the folders agree.
//   node tools/slurm/compare-sweep-folders.mjs <sweep folder A> <sweep folder B>
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const [a, b] = process.argv.slice(2);
if (!a || !b) {
  console.error('usage: compare-sweep-folders.mjs <sweep folder A> <sweep folder B>');
  process.exit(2);
}

const differences = [];
const files = compareSet(a, b, '');
const plan = JSON.parse(readFileSync(path.join(a, 'sweep-plan.json'), 'utf8'));
let cells = 0;
for (const cell of plan.cells) {
  cells++;
  compareSet(path.join(a, 'cells', cell.id), path.join(b, 'cells', cell.id), `cells/${cell.id}/`);
}
if (differences.length > 0) {
  console.error(`${differences.length} difference(s) between ${a} and ${b}:\n  ${differences.join('\n  ')}`);
  process.exit(1);
}
console.log(`same: the sweep report (${files} files) and ${cells} cells, every published file (times and places aside)`);

/** Compares the published files (outputs.json) of two folders; returns how many were compared. */
function compareSet(left, right, label) {
  const listed = (dir) => JSON.parse(readFileSync(path.join(dir, 'outputs.json'), 'utf8')).files.map((f) => f.path).sort();
  const [l, r] = [listed(left), listed(right)];
  if (JSON.stringify(l) !== JSON.stringify(r)) differences.push(`${label}outputs.json lists ${l.join(', ')} vs ${r.join(', ')}`);
  for (const file of l.filter((f) => r.includes(f))) {
    const [x, y] = [comparable(path.join(left, file), file), comparable(path.join(right, file), file)];
    if (x !== y) differences.push(`${label}${file} differs`);
  }
  return l.length;
}

function comparable(file, name) {
  const bytes = readFileSync(file);
  if (name === 'README.md') return bytes.toString('utf8').replace(/\| finished \| [^|]+ \|/, '| finished | (time) |');
  if (name === 'run.json') {
    const { createdAt: _c, timings: _t, prompts: _p, settings, ...rest } = JSON.parse(bytes.toString('utf8'));
    return JSON.stringify({ ...rest, settings: { ...settings, out: path.basename(settings.out) } });
  }
  return createHash('sha256').update(bytes).digest('hex');
}
