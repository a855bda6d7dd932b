import { codeSpan, escapeInline, tableRow } from '../markdown-text.js';
import { formatCount, formatFixed, formatPercent, formatRatio } from '../number-format.js';
import { axisLabels, cellMeasures, sweepRows, type SeedSummary, type SweepCell, type SweepRow } from './sweep-rows.js';

/** What the sweep report is made from. */
export interface SweepReportInput {
  /** The sweep's name. */
  readonly name: string;
  readonly cells: readonly SweepCell[];
  /** Each stimulus set's statement of what it contrasts, by set name, where the set has one. */
  readonly contrasts?: Readonly<Record<string, string>>;
  /** Planned cells without results (their ids). */
  readonly missing?: readonly string[];
}

/** Files the sweep report links, relative to it. */
export interface SweepReportLinks {
  readonly figure?: string;
  readonly csv?: string;
}

/**
 * The sweep report as Markdown: one page comparing the cells. A Thesis list (per axis and model,
 * the share of units with |t| > 3 and its ratio to the null p99, with the random-init control beside
 * the model it controls), the Results table (|t| > 3 and |t| > 5 shares with their ratios to the
 * null p99, split-half r; means over seeds with their range), the figure, what each axis
 * contrasts, every cell with a link to its own report, and notes.
 */
export function renderSweepReport(input: SweepReportInput, links: SweepReportLinks = {}): string {
  const rows = sweepRows(input.cells);
  const count = (values: readonly unknown[]) => new Set(values).size;
  const sets = count(input.cells.map((c) => c.stimuli));
  const models = count(input.cells.map((c) => c.model));
  const seeds = count(input.cells.map((c) => c.seed));
  const units = count(input.cells.map((c) => c.units));
  const plural = (n: number, word: string) => `${formatCount(n)} ${word}${n === 1 ? '' : 's'}`;
  const lines = [
    `# Sweep ${escapeInline(input.name)}`,
    '',
    `${plural(input.cells.length, 'cell')}: ${plural(sets, 'stimulus set')} x ${plural(models, 'model')} x ${plural(seeds, 'seed')} x ${plural(units, 'unit definition')}. Each cell is one probe run (one denoising step per prompt, per-unit paired statistics against a sign-flip null); its own report is linked under Cells.`,
    '',
    ...banners(input.cells),
    '## Thesis',
    '',
    'Per axis and model, the share of units whose paired t separates condition a from condition b beyond |t| > 3, against the 99th percentile of the same count under the sign-flip null:',
    '',
    ...thesis(rows),
    '',
    '## Results',
    '',
    ...resultsTable(rows, units > 1),
    '',
    'Shares are of all units. "x null p99" is the count over its 99th percentile under the sign-flip null (n/a when that percentile is 0). Split-half r is the median, over random halves of the pairs, of the Pearson r between the halves\' per-unit t. With several seeds (of the noise latents, sign flips and splits) a cell shows the mean and [min, max] over them.',
    '',
    ...(links.figure ? [`![Share of units over \\|t\\| > 3 and \\|t\\| > 5 per axis and model, with the null p99](${encodeURI(links.figure)})`, ''] : []),
    '## Axes',
    '',
    tableRow(['axis', 'stimulus set', 'condition a', 'condition b', 'pairs', 'contrast']),
    tableRow(['---', '---', '---', '---', '---', '---']),
    ...uniqueBy(rows, (r) => r.stimuli).map((r) =>
      tableRow([escapeInline(r.label), codeSpan(r.stimuli), escapeInline(r.conditions?.a ?? '-'), escapeInline(r.conditions?.b ?? '-'), formatCount(r.nPairs), escapeInline(input.contrasts?.[r.stimuli] ?? '-')]),
    ),
    '',
    '## Cells',
    '',
    ...cellsTable(input.cells, units > 1),
    '',
    ...(links.csv ? [`Every cell's numbers: [${escapeInline(links.csv)}](${encodeURI(links.csv)}).`, ''] : []),
    ...notes(input),
  ];
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

function banners(cells: readonly SweepCell[]): string[] {
  if (!cells.some((c) => c.modelKind === 'tiny-seeded')) return [];
  return ['> **Pipeline check.** Cells of this sweep probe the tiny seeded-random model of the FLUX.2 architecture, not FLUX.2 [klein] 4B: their numbers check the pipeline, they are not a finding about any trained model.', ''];
}

function thesis(rows: readonly SweepRow[]): string[] {
  const byKey = new Map(rows.map((r) => [JSON.stringify([r.stimuli, r.model, r.units]), r]));
  return rows
    .filter((r) => r.controlFor === null || !byKey.has(JSON.stringify([r.stimuli, r.controlFor, r.units])))
    .map((row) => {
      const controls = rows.filter((c) => c.controlFor === row.model && c.stimuli === row.stimuli && c.units === row.units);
      const versus = controls.map((c) => `; its ${controlLabel(c)} ${escapeInline(c.model)}: ${share(c.measures.t3)} (${ratio(c.measures.t3Ratio)})`).join('');
      const where = row.conditions ? ` (${escapeInline(row.conditions.a)} vs ${escapeInline(row.conditions.b)})` : '';
      return `- **${escapeInline(row.label)}**${where}, ${escapeInline(row.model)}${unitsNote(row, rows)}: ${share(row.measures.t3)} of units at |t| > 3, ${ratio(row.measures.t3Ratio)} the null p99${versus}.`;
    });
}

function resultsTable(rows: readonly SweepRow[], withUnits: boolean): string[] {
  const header = ['axis', 'model', ...(withUnits ? ['units'] : []), '\\|t\\| > 3', 'x null p99', '\\|t\\| > 5', 'x null p99', 'split-half r', 'seeds'];
  return [
    tableRow(header),
    tableRow(header.map(() => '---')),
    ...rows.map((r) =>
      tableRow([
        escapeInline(r.label),
        `${escapeInline(r.model)}${r.controlFor !== null ? ` (${controlLabel(r)} of ${escapeInline(r.controlFor)})` : ''}`,
        ...(withUnits ? [escapeInline(r.units)] : []),
        share(r.measures.t3),
        ratio(r.measures.t3Ratio),
        share(r.measures.t5),
        ratio(r.measures.t5Ratio),
        fixed(r.measures.splitHalf, 3),
        r.seeds.join(', '),
      ]),
    ),
  ];
}

function cellsTable(cells: readonly SweepCell[], withUnits: boolean): string[] {
  const labels = axisLabels(cells);
  const header = ['cell', 'axis', 'model', ...(withUnits ? ['units'] : []), 'seed', '\\|t\\| > 3', 'x null p99', '\\|t\\| > 5', 'x null p99', 'split-half r', 'report'];
  return [
    tableRow(header),
    tableRow(header.map(() => '---')),
    ...cells.map((c) => {
      const m = cellMeasures(c.results);
      return tableRow([
        codeSpan(c.id),
        escapeInline(labels.get(c.stimuli) ?? c.axis),
        escapeInline(c.model),
        ...(withUnits ? [escapeInline(c.units)] : []),
        String(c.seed),
        m.t3 === null ? 'n/a' : formatPercent(m.t3),
        m.t3Ratio === null ? 'n/a' : formatRatio(m.t3Ratio),
        m.t5 === null ? 'n/a' : formatPercent(m.t5),
        m.t5Ratio === null ? 'n/a' : formatRatio(m.t5Ratio),
        formatFixed(m.splitHalf, 3),
        `[README](${encodeURI(c.report)})`,
      ]);
    }),
  ];
}

function notes(input: SweepReportInput): string[] {
  const out = ['## Notes', ''];
  if (input.cells.some((c) => c.controlFor !== null)) {
    out.push('- A random-init control has the architecture and the text encoder of the model it controls and untrained transformer weights: what it separates comes from the prompts\' lexical differences alone, not from anything the model learned.');
  }
  out.push('- Shares and ratios count units over fixed |t| thresholds; with few pairs, t is sensitive to per-pair variance. Each cell\'s report gives FWER and FDR counts, per-block summaries and its limitations.');
  if (input.missing && input.missing.length > 0) out.push(`- ${formatCount(input.missing.length)} planned cell${input.missing.length === 1 ? ' has' : 's have'} no results yet and ${input.missing.length === 1 ? 'is' : 'are'} left out: ${input.missing.map(codeSpan).join(', ')}.`);
  return out;
}

function controlLabel(row: Pick<SweepRow, 'modelKind'>): string {
  return row.modelKind === 'random-init-control' ? 'random-init control' : 'control';
}

function unitsNote(row: SweepRow, rows: readonly SweepRow[]): string {
  return new Set(rows.map((r) => r.units)).size > 1 ? ` (units ${escapeInline(row.units)})` : '';
}

function share(s: SeedSummary): string {
  return summaryText(s, formatPercent);
}

function ratio(s: SeedSummary): string {
  return summaryText(s, formatRatio);
}

function fixed(s: SeedSummary, decimals: number): string {
  return summaryText(s, (x) => formatFixed(x, decimals));
}

/** `74.0%`, or `74.0% [73.1%, 75.2%]` when the seeds differ. */
function summaryText(s: SeedSummary, format: (x: number) => string): string {
  if (s.mean === null || s.min === null || s.max === null) return 'n/a';
  return format(s.min) === format(s.max) ? format(s.mean) : `${format(s.mean)} [${format(s.min)}, ${format(s.max)}]`;
}

function uniqueBy<T>(values: readonly T[], key: (value: T) => string): T[] {
  const seen = new Set<string>();
  return values.filter((v) => (seen.has(key(v)) ? false : (seen.add(key(v)), true)));
}
