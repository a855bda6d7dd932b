import * as E from 'fp-ts/lib/Either.js';
import type { HooksError, HooksErrors } from './errors.js';
import type { LinearLayer } from './find-linears.js';

/** One part of a preset: a module-path glob and how a match's captures name its group. */
export interface PresetPart {
  readonly glob: string;
  /** Group label from the texts the glob's `*`s matched (e.g. `joint[3]`). */
  readonly group: (captures: readonly string[]) => string;
}

/** A named selection of layers. */
export interface Preset {
  readonly name: string;
  readonly description: string;
  readonly parts: readonly PresetPart[];
}

/** The built-in presets: `flux2` = the input of every attention output projection of FLUX.2. */
export function builtinPresets(): readonly Preset[] {
  return [
    {
      name: 'flux2',
      description: 'FLUX.2 attention output projections: joint blocks (attn.to_out.0) then single blocks (attn.to_out), in block order',
      parts: [
        { glob: 'transformer_blocks.*.attn.to_out.0', group: (c) => `joint[${c[0] ?? ''}]` },
        { glob: 'single_transformer_blocks.*.attn.to_out', group: (c) => `single[${c[0] ?? ''}]` },
      ],
    },
  ];
}

/** A selected layer and its group label. */
export interface SelectedLayer {
  readonly layer: LinearLayer;
  readonly group: string;
}

/** What to select: a preset, globs, or both (preset first). */
export interface Selection {
  /** Preset name (default none). */
  readonly preset?: string;
  /** Module-path globs: `*` matches within one dot-separated segment, `**` across segments (default none). */
  readonly select?: readonly string[];
}

/**
 * Selects layers by preset and globs, in order: preset parts, then globs; within each, by module
 * path with numbers compared numerically (block 2 before block 10). A layer selected twice is kept
 * once. Every glob that matches nothing is reported, with the nearest module paths.
 */
export function selectLayers(layers: readonly LinearLayer[], selection: Selection): E.Either<HooksErrors, SelectedLayer[]> {
  // A preset counts as one selector: it must match something, not every one of its parts.
  const parts: (PresetPart & { readonly selector: string; readonly required: boolean })[] = [];
  const problems: HooksError[] = [];
  if (selection.preset !== undefined) {
    const preset = builtinPresets().find((p) => p.name === selection.preset);
    if (preset) parts.push(...preset.parts.map((part) => ({ ...part, selector: `preset ${preset.name}`, required: false })));
    else problems.push({ _tag: 'UnknownPreset', preset: selection.preset, known: builtinPresets().map((p) => p.name) });
  }
  for (const glob of selection.select ?? []) parts.push({ glob, group: () => '', selector: glob, required: true });
  if (parts.length === 0 && problems.length === 0) problems.push({ _tag: 'NothingSelected' });
  const chosen: SelectedLayer[] = [];
  const taken = new Set<string>();
  for (const part of parts) {
    const pattern = globToRegExp(part.glob);
    const matches = layers
      .map((layer) => ({ layer, match: pattern.exec(layer.module) }))
      .filter((m): m is { layer: LinearLayer; match: RegExpExecArray } => m.match !== null)
      .sort((a, b) => naturalCompare(a.layer.module, b.layer.module));
    if (matches.length === 0 && part.required) problems.push({ _tag: 'SelectorMatchedNothing', selector: part.selector, nearest: nearestPaths(part.glob, layers.map((l) => l.module)) });
    for (const { layer, match } of matches) {
      if (taken.has(layer.node)) continue;
      taken.add(layer.node);
      const group = part.group(match.slice(1));
      chosen.push({ layer, group: group === '' ? layer.module : group });
    }
  }
  const presetParts = parts.filter((part) => !part.required);
  if (presetParts.length > 0 && !chosen.some((c) => presetParts.some((part) => globToRegExp(part.glob).test(c.layer.module)))) {
    problems.push({ _tag: 'SelectorMatchedNothing', selector: presetParts[0]?.selector ?? '', nearest: nearestPaths(presetParts[0]?.glob ?? '', layers.map((l) => l.module)) });
  }
  const [first, ...rest] = problems;
  return first ? E.left([first, ...rest]) : E.right(chosen);
}

/** A module-path glob as an anchored RegExp: `*` = one segment's characters, `**` = anything, `?` = one character. */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i] as string;
    if (ch === '*' && glob[i + 1] === '*') {
      source += '(.*)';
      i++;
    } else if (ch === '*') source += '([^.]*)';
    else if (ch === '?') source += '[^.]';
    else source += ch.replace(/[\\^$+.()|[\]{}]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** Compares strings with digit runs compared as numbers. */
export function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/** The module paths closest to a selector (edit distance), at most `count`. */
export function nearestPaths(selector: string, paths: readonly string[], count = 5): string[] {
  const unique = [...new Set(paths)];
  return unique
    .map((p) => ({ p, d: editDistance(selector, p) }))
    .sort((a, b) => a.d - b.d || naturalCompare(a.p, b.p))
    .slice(0, count)
    .map((x) => x.p);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] || a[i - 1] === '*' ? 0 : 1;
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + cost);
    }
    previous = current;
  }
  return previous[b.length] as number;
}
