#!/usr/bin/env node
// Sums the per-project Vitest JSON reports into one closing line: "N passed, N failed[, N skipped]".
import fs from 'node:fs';
import path from 'node:path';

const dir = process.argv[2] ?? 'reports/vitest';
const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of files) {
  const report = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
}
const projects = files.map((f) => path.basename(f, '.json')).join(', ') || 'none';
process.stdout.write(`test reports: ${projects}\n`);
process.stdout.write(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}\n`);
