#!/usr/bin/env node
// Sums the per-project Vitest JSON reports into one closing line: "N passed, N failed[, N skipped]".
// A test file that failed to load counts as one failure, and projects without a report are named.
import fs from 'node:fs';
import path from 'node:path';

const dir = process.argv[2] ?? 'reports/vitest';
const expected = process.argv.slice(3);
const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
let passed = 0;
let failed = 0;
let skipped = 0;
let brokenFiles = 0;
for (const file of files) {
  const report = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
  // A suite that fails without failing tests is a file that did not load or run.
  for (const suite of report.testResults ?? []) {
    if (suite.status === 'failed' && suite.assertionResults.every((t) => t.status !== 'failed')) brokenFiles++;
  }
}
const reported = files.map((f) => path.basename(f, '.json'));
process.stdout.write(`test reports: ${reported.join(', ') || 'none'}\n`);
const missing = expected.filter((name) => !reported.includes(name));
if (missing.length > 0) process.stdout.write(`no test report (tests did not run): ${missing.join(', ')}\n`);
if (brokenFiles > 0) process.stdout.write(`test files that failed to load or run: ${brokenFiles} (counted as failed)\n`);
failed += brokenFiles;
process.stdout.write(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}\n`);
