/** Package version of @moral-plantain/report. */
export const version = '0.1.0';

export { writeFileAtomic } from './atomic-write.js';
export { absTHeatmapSpec } from './figures/abs-t-heatmap.js';
export type { AbsTHeatmapOptions } from './figures/abs-t-heatmap.js';
export { figureSpecs, renderFigures } from './figures/report-figures.js';
export type { RenderedFigure } from './figures/report-figures.js';
export { renderSvg } from './figures/render-svg.js';
export { splitHalfSpec } from './figures/split-half.js';
export { logGamma, studentTDensity } from './figures/student-t.js';
export { tHistogramSpec } from './figures/t-histogram.js';
export type { THistogramOptions } from './figures/t-histogram.js';
export { thresholdCountsSpec } from './figures/threshold-counts.js';
export { DEFAULT_BASE_MODEL, modelCardMetadata, renderFrontMatter } from './front-matter.js';
export type { FrontMatterOptions, ModelCardMetadata } from './front-matter.js';
export { judge, renderInterpretation } from './interpretation.js';
export type { InterpretationOptions, Verdict } from './interpretation.js';
export { codeSpan, escapeInline, tableRow } from './markdown-text.js';
export { renderModelCard } from './model-card.js';
export type { FigureLink, ModelCardInput, ModelCardOptions } from './model-card.js';
export { formatCount, formatFixed, formatP, formatPercent, formatRatio, formatThreshold } from './number-format.js';
export { parseProbeResults } from './parse-results.js';
export { parseRunProvenance } from './parse-run-provenance.js';
export { describeReportError } from './report-error.js';
export type { ReportError } from './report-error.js';
export type { ResultDistributions } from './result-distributions.js';
export { renderResultsTable, significanceText } from './results-table.js';
export type { ResultsTableOptions } from './results-table.js';
export { RUN_FORMAT } from './run-provenance.js';
export type {
  ModelKind,
  ModelProvenance,
  ProtocolProvenance,
  RunProvenance,
  StimuliProvenance,
  UnitDefinition,
} from './run-provenance.js';
export { renderTopBlocksLine, renderTopBlocksTable, topBlocks } from './top-blocks.js';
export { csvField, groupLabels, renderUnitCsv, UNIT_CSV_COLUMNS } from './unit-csv.js';
export { UNIT_CSV_FILE, writeReport } from './write-report.js';
export type { ReportInput, WrittenReport } from './write-report.js';
