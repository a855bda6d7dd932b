import * as A from 'fp-ts/lib/Array.js';
import * as E from 'fp-ts/lib/Either.js';
import * as NEA from 'fp-ts/lib/NonEmptyArray.js';
import { contentHash } from './content-hash.js';
import { normalizeText } from './normalize-text.js';
import { diffPrompts, type DiffHunk } from './prompt-diff.js';
import { locate, type StimulusSetSource } from './source-location.js';
import type { StimulusPair, StimulusSet } from './stimulus-set.js';
import { stimulusProblem, type ProblemCode, type ProblemSeverity, type StimulusProblem } from './stimulus-problem.js';
import type { TokenCounter } from './token-counter.js';

/** How to validate a set. */
export interface ValidationOptions {
  /** Counts tokens; pass the model's tokenizer (the Qwen3 one for FLUX.2 [klein]). Token checks are skipped without one. */
  readonly tokenCounter?: TokenCounter;
  /** Largest allowed difference of the two prompts' token counts within a pair. Default 0. */
  readonly tokenTolerance?: number;
  /** Largest token count of a prompt as the text encoder sees it (inside its chat template). Default: the token counter's own window. */
  readonly contextWindow?: number;
  /**
   * When true (the default) every failed check is an error. When false, the design checks (token
   * counts, one contiguous span, agents, categories) only warn; structural ones stay errors.
   */
  readonly strict?: boolean;
  /** Where the set was loaded from, to give each problem its file, line and column. */
  readonly source?: StimulusSetSource;
}

/** What validation found out about one pair, problems aside. */
export interface PairReport {
  readonly id: string;
  readonly category: string;
  /** Token counts of the bare prompts (absent without a token counter). */
  readonly tokens?: { readonly a: number; readonly b: number };
  /** Token counts inside the text encoder's chat template (absent without a counter that knows the template). */
  readonly windowTokens?: { readonly a: number; readonly b: number };
  /** Where the two prompts differ, word by word. */
  readonly hunks: readonly DiffHunk[];
}

/** The outcome of validating a set: every problem, plus per-pair and per-category figures. */
export interface ValidationReport {
  readonly name: string;
  /** sha256 content hash of the set (see `contentHash`). */
  readonly hash: string;
  /** Name of the token counter used, or null when token checks were skipped. */
  readonly tokenCounter: string | null;
  readonly problems: readonly StimulusProblem[];
  readonly errorCount: number;
  readonly warningCount: number;
  readonly pairs: readonly PairReport[];
  readonly categories: readonly { readonly name: string; readonly count: number }[];
}

const DESIGN_CHECKS: ReadonlySet<ProblemCode> = new Set([
  'token-count-mismatch',
  'multiple-spans',
  'agent-missing',
  'unknown-category',
  'category-imbalance',
]);

/** Runs every check on a set and reports all problems at once (it never stops at the first). */
export function validateStimulusSet(set: StimulusSet, options: ValidationOptions = {}): ValidationReport {
  const strict = options.strict ?? true;
  const tolerance = options.tokenTolerance ?? 0;
  const counter = options.tokenCounter;
  const context = counter?.context;
  const window = options.contextWindow ?? context?.window;
  const source = options.source;

  const problems: StimulusProblem[] = [];
  const report = (code: ProblemCode, message: string, path: string, pairId?: string): void => {
    const severity: ProblemSeverity = !strict && DESIGN_CHECKS.has(code) ? 'warning' : 'error';
    problems.push(stimulusProblem(code, message, path, { severity, ...(source ? { location: locate(source, path) } : {}), ...(pairId !== undefined ? { pairId } : {}) }));
  };

  const firstIndex = new Map<string, number>();
  const pairs = set.pairs.map((pair, index): PairReport => {
    const path = `/pairs/${index}`;
    const seen = firstIndex.get(pair.id);
    if (seen === undefined) firstIndex.set(pair.id, index);
    else report('duplicate-id', `Pair id "${pair.id}" is used again (first by pairs[${seen}]); ids must be unique.`, `${path}/id`, pair.id);

    checkPrompt(pair, 'a', path, report);
    checkPrompt(pair, 'b', path, report);
    if (pair.neutral !== undefined) {
      checkPrompt(pair, 'neutral', path, report);
      const same = (['a', 'b'] as const).find((side) => normalizeText(pair[side]) === normalizeText(pair.neutral!));
      if (same) report('neutral-repeats-prompt', `The neutral description of pair "${pair.id}" is prompt ${same}; it must describe the scene without the act.`, `${path}/neutral`, pair.id);
    }


    pair.agents.forEach((agent, k) => {
      const texts = pair.neutral === undefined ? (['a', 'b'] as const) : (['a', 'b', 'neutral'] as const);
      const missing = texts.filter((side) => !(pair[side] ?? '').toLowerCase().includes(agent.toLowerCase()));
      if (missing.length > 0) {
        const prompts = missing.filter((side) => side !== 'neutral');
        const where = [...(prompts.length > 0 ? [`prompt ${prompts.join(' and ')}`] : []), ...(missing.includes('neutral') ? ['the neutral description'] : [])].join(' and ');
        report('agent-missing', `Agent "${agent}" of pair "${pair.id}" does not appear in ${where}.`, `${path}/agents/${k}`, pair.id);
      }
    });

    if (set.categories && !set.categories.includes(pair.category)) {
      report('unknown-category', `Pair "${pair.id}" has category "${pair.category}", which is not one of the declared categories (${set.categories.join(', ')}).`, `${path}/category`, pair.id);
    }

    // The text encoder's window first: a prompt past it is refused before any other work on it.
    const windowTokens = counter ? checkWindow(pair, path, counter, window, report) : undefined;
    const hunks = diffPrompts(pair.a, pair.b).hunks;
    if (hunks.length === 0) {
      report('identical-prompts', `The two prompts of pair "${pair.id}" are identical; they must differ in the act.`, `${path}/b`, pair.id);
    } else if (hunks.length > 1) {
      const where = hunks.map((h) => `"${h.a.text}" -> "${h.b.text}"`).join(', ');
      report('multiple-spans', `The prompts of pair "${pair.id}" differ in ${hunks.length} places (${where}); they should differ in one contiguous span.`, `${path}/b`, pair.id);
    }
    if (!counter) return { id: pair.id, category: pair.category, hunks };
    const tokens = checkTokenCounts(pair, path, counter, tolerance, report);
    return { id: pair.id, category: pair.category, tokens, ...(windowTokens ? { windowTokens } : {}), hunks };
  });

  const categories = categoryCounts(set);
  const counts = new Set(categories.map((c) => c.count));
  if (counts.size > 1) {
    report('category-imbalance', `Categories are unbalanced: ${categories.map((c) => `${c.name} ${c.count}`).join(', ')}; give each the same number of pairs.`, '/pairs', undefined);
  }

  const errorCount = problems.filter((p) => p.severity === 'error').length;
  return {
    name: set.name,
    hash: contentHash(set),
    tokenCounter: counter?.name ?? null,
    problems,
    errorCount,
    warningCount: problems.length - errorCount,
    pairs,
    categories,
  };
}

/** Validates a set and gives it back when it has no errors, or every error otherwise. */
export function checkStimulusSet(set: StimulusSet, options: ValidationOptions = {}): E.Either<NEA.NonEmptyArray<StimulusProblem>, StimulusSet> {
  const errors = validateStimulusSet(set, options).problems.filter((p) => p.severity === 'error');
  return A.isNonEmpty(errors) ? E.left(errors) : E.right(set);
}

function checkPrompt(
  pair: StimulusPair,
  side: 'a' | 'b' | 'neutral',
  path: string,
  report: (code: ProblemCode, message: string, path: string, pairId?: string) => void,
): void {
  const prompt = pair[side] ?? '';
  const what = side === 'neutral' ? 'The neutral description' : `Prompt ${side}`;
  if (prompt.trim().length === 0) {
    report('empty-prompt', `${what} of pair "${pair.id}" is empty.`, `${path}/${side}`, pair.id);
    return;
  }
  // Control, format (zero-width), private-use and unassigned characters, lone surrogates, U+FFFD.
  const bad = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Cs}\uFFFD]/u.exec(prompt);
  if (bad) {
    const code = (bad[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
    report('unprintable-character', `${what} of pair "${pair.id}" contains the unprintable character U+${code} at position ${bad.index + 1}.`, `${path}/${side}`, pair.id);
  }
}

function categoryCounts(set: StimulusSet): { name: string; count: number }[] {
  const counts = new Map<string, number>((set.categories ?? []).map((c) => [c, 0]));
  for (const pair of set.pairs) counts.set(pair.category, (counts.get(pair.category) ?? 0) + 1);
  return [...counts].map(([name, count]) => ({ name, count }));
}

/** The prompts' token counts inside the text encoder's chat template, checked against its window (reported through `report`); undefined without a window. */
function checkWindow(pair: StimulusPair, path: string, counter: TokenCounter, window: number | undefined, report: Report): { a: number; b: number } | undefined {
  const context = counter.context;
  if (!context || window === undefined) return undefined;
  const windowTokens = { a: context.count(pair.a), b: context.count(pair.b) };
  if (pair.neutral !== undefined) {
    const neutral = context.count(pair.neutral);
    if (!Number.isFinite(neutral)) report('context-window-exceeded', `The neutral description of pair "${pair.id}" cannot be rendered with the text encoder's chat template.`, `${path}/neutral`, pair.id);
    else if (neutral > window) report('context-window-exceeded', `The neutral description of pair "${pair.id}" takes ${neutral} ${counter.name} tokens with the chat template, over the ${window}-token window.`, `${path}/neutral`, pair.id);
  }
  for (const side of ['a', 'b'] as const) {
    if (!Number.isFinite(windowTokens[side])) {
      report('context-window-exceeded', `Prompt ${side} of pair "${pair.id}" cannot be rendered with the text encoder's chat template.`, `${path}/${side}`, pair.id);
    } else if (windowTokens[side] > window) {
      report('context-window-exceeded', `Prompt ${side} of pair "${pair.id}" takes ${windowTokens[side]} ${counter.name} tokens with the chat template, over the ${window}-token window.`, `${path}/${side}`, pair.id);
    }
  }
  return windowTokens;
}

/** The bare prompts' token counts, which must match within `tolerance` (reported through `report`). */
function checkTokenCounts(pair: StimulusPair, path: string, counter: TokenCounter, tolerance: number, report: Report): { a: number; b: number } {
  const tokens = { a: counter.count(pair.a), b: counter.count(pair.b) };
  if (Math.abs(tokens.a - tokens.b) > tolerance) {
    report(
      'token-count-mismatch',
      `Pair "${pair.id}" has ${tokens.a} ${counter.name} tokens in prompt a and ${tokens.b} in prompt b${tolerance > 0 ? ` (tolerance ${tolerance})` : ''}; reword one so both have the same count.`,
      `${path}/b`,
      pair.id,
    );
  }
  return tokens;
}

/** How a check reports a problem. */
type Report = (code: ProblemCode, message: string, path: string, pairId?: string) => void;
