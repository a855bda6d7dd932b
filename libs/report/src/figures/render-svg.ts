import * as TE from 'fp-ts/lib/TaskEither.js';
import { pipe } from 'fp-ts/lib/function.js';
import type { TopLevelSpec } from 'vega-lite';
import type { ReportError } from '../report-error.js';

/**
 * Compiles a vega-lite spec to vega and renders it headless to an SVG string (no browser, no
 * canvas). vega and vega-lite are loaded on the first figure, so importing this package costs
 * nothing for code that never draws one. The SVG text depends only on the spec: the ids of its
 * gradients and clip paths start afresh for each figure.
 */
export function renderSvg(figure: string, spec: TopLevelSpec): TE.TaskEither<ReportError, string> {
  return pipe(
    TE.tryCatch(
      async () => {
        const [{ logger, None, parse, resetSVGDefIds, View }, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
        // Gradient and clip ids count up per process: reset, a figure is the same whoever drew figures before it.
        resetSVGDefIds();
        // Library code does not write to the console: vega-lite's advisory warnings are dropped.
        const quiet = logger(None);
        const view = new View(parse(compile(spec, { logger: quiet }).spec), { renderer: 'none', logger: quiet });
        try {
          return await view.toSVG();
        } finally {
          view.finalize();
        }
      },
      (error): ReportError => ({ _tag: 'FigureFailed', figure, message: error instanceof Error ? error.message : String(error) }),
    ),
  );
}
