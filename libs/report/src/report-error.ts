import { describeFileProblem, type ErrorDescription } from '@moral-plantain/formats';

/** Why a report could not be made; every variant names what was wrong. */
export type ReportError =
  | { readonly _tag: 'InvalidResults'; readonly problems: readonly string[] }
  | { readonly _tag: 'InvalidCardOptions'; readonly problems: readonly string[] }
  | { readonly _tag: 'FigureFailed'; readonly figure: string; readonly message: string }
  | { readonly _tag: 'WriteFailed'; readonly path: string; readonly reason: string };

/** What is wrong with a report's input or output, and what to do. */
export function describeReportError(error: ReportError): ErrorDescription {
  switch (error._tag) {
    case 'InvalidResults':
      return { message: `The results are not a valid moral-plantain/results@1 object: ${error.problems.join('; ')}.`, hint: 'Write them again with `moral-plantain stats`.' };
    case 'InvalidCardOptions':
      return {
        message: `${error.problems.length === 1 ? 'A card option is' : `${error.problems.length} card options are`} invalid: ${error.problems.join('; ')}.`,
        hint: 'Fix the title, model name, base model or tags given for the card (report --title, --model, --base-model, --tag).',
      };
    case 'FigureFailed':
      return { message: `Figure ${error.figure} could not be rendered: ${error.message}.`, hint: 'Run again with --verbose and report the figure that failed.' };
    case 'WriteFailed':
      return describeFileProblem('write', error.path, error.reason);
  }
}
