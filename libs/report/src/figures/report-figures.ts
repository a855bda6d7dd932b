import * as A from 'fp-ts/lib/Array.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { pipe } from 'fp-ts/lib/function.js';
import type { ProbeResults } from '@moral-plantain/stats';
import type { TopLevelSpec } from 'vega-lite';
import type { ReportError } from '../report-error.js';
import type { ResultDistributions } from '../result-distributions.js';
import { absTHeatmapSpec } from './abs-t-heatmap.js';
import { renderSvg } from './render-svg.js';
import { splitHalfSpec } from './split-half.js';
import { tHistogramSpec } from './t-histogram.js';
import { thresholdCountsSpec } from './threshold-counts.js';

/** One rendered figure: its path relative to the report, its title, and the SVG text. */
export interface RenderedFigure {
  readonly path: string;
  readonly title: string;
  readonly svg: string;
}

/**
 * The report's figures as vega-lite specs with their relative paths (split-half only when computed),
 * each titled as its spec is, so a caption never says more than the figure draws.
 */
export function figureSpecs(
  results: ProbeResults,
  distributions: ResultDistributions = {},
): readonly { readonly path: string; readonly title: string; readonly spec: TopLevelSpec }[] {
  const splitHalf = splitHalfSpec(results, distributions);
  const figures: [string, TopLevelSpec][] = [
    ['figures/abs-t-by-block.svg', absTHeatmapSpec(results)],
    ['figures/t-histogram.svg', tHistogramSpec(results, distributions)],
    ['figures/threshold-counts.svg', thresholdCountsSpec(results, distributions)],
    ...(splitHalf ? [['figures/split-half.svg', splitHalf] as [string, TopLevelSpec]] : []),
  ];
  return figures.map(([path, spec]) => ({ path, title: specTitle(spec), spec }));
}

/** The title text of a spec (its first line). */
function specTitle(spec: TopLevelSpec): string {
  const title = spec.title;
  const text = typeof title === 'string' || Array.isArray(title) ? title : title?.text;
  return (Array.isArray(text) ? text.join(' ') : (text ?? '')).toString();
}

/** The report's figures as the card links them (path and title), without rendering them. */
export function reportFigureLinks(results: ProbeResults): readonly { readonly path: string; readonly title: string }[] {
  return figureSpecs(results).map(({ path, title }) => ({ path, title }));
}

/** Renders every figure of the report to SVG, one after another (vega views are not shared). */
export function renderFigures(
  results: ProbeResults,
  distributions: ResultDistributions = {},
): TE.TaskEither<ReportError, readonly RenderedFigure[]> {
  return pipe(
    [...figureSpecs(results, distributions)],
    A.traverse(TE.ApplicativeSeq)((figure) =>
      pipe(
        renderSvg(figure.path, figure.spec),
        TE.map((svg): RenderedFigure => ({ path: figure.path, title: figure.title, svg })),
      ),
    ),
  );
}
