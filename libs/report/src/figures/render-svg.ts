import * as TE from 'fp-ts/lib/TaskEither.js';
import { pipe } from 'fp-ts/lib/function.js';
import type { TopLevelSpec } from 'vega-lite';
import type { ReportError } from '../report-error.js';

/**
 * Compiles a vega-lite spec to vega and renders it headless to an SVG string (no browser, no
 * canvas). vega and vega-lite are loaded on the first figure, so importing this package costs
 * nothing for code that never draws one.
 */
export function renderSvg(figure: string, spec: TopLevelSpec): TE.TaskEither<ReportError, string> {
  return pipe(
    TE.tryCatch(
      async () => {
        const [{ logger, None, parse, View }, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
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
