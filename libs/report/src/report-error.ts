/** Why a report could not be made; every variant names what was wrong. */
export type ReportError =
  | { readonly _tag: 'InvalidResults'; readonly problems: readonly string[] }
  | { readonly _tag: 'InvalidProvenance'; readonly problems: readonly string[] }
  | { readonly _tag: 'FigureFailed'; readonly figure: string; readonly message: string }
  | { readonly _tag: 'WriteFailed'; readonly path: string; readonly message: string };

/** One sentence describing a report error, for logs and command lines. */
export function describeReportError(error: ReportError): string {
  switch (error._tag) {
    case 'InvalidResults':
      return `results are not a valid moral-plantain/results@1 object: ${error.problems.join('; ')}`;
    case 'InvalidProvenance':
      return `run provenance is not valid: ${error.problems.join('; ')}`;
    case 'FigureFailed':
      return `figure ${error.figure} could not be rendered: ${error.message}`;
    case 'WriteFailed':
      return `could not write ${error.path}: ${error.message}`;
  }
}
