import path from 'node:path';
import type { Command } from 'commander';
import * as E from 'fp-ts/lib/Either.js';
import { formatCount } from '@moral-plantain/formats';
import { setRuntimeLogLevel } from '@moral-plantain/model-runtime';
import { describePatchError, resolvePatchSettings, RUN_DEFAULTS, runPatch, type PatchOutcome, type RawPatchSettings } from '@moral-plantain/study';
import { CliError, EXIT_INTERRUPTED } from '../cli-error.js';
import { isQuiet } from '../global-flags.js';
import { printJson, printSummary, shownPath } from '../print.js';
import { createProgressDisplay, formatSeconds } from '../progress-display.js';
import { cliVersion } from '../program.js';
import { refuseStdioFolder } from '../standard-input.js';
import { textTable } from '../text-table.js';

/** Runs `patch`: the settings from the flags, the causal test, then a summary. */
export async function patchAction(run: string | undefined, options: Record<string, unknown>, command: Command): Promise<void> {
  setRuntimeLogLevel(command.optsWithGlobals().verbose ? 'warning' : 'fatal');
  const typed = (key: string) => command.getOptionValueSource(key) === 'cli';
  const raw: RawPatchSettings = {
    run: run ?? RUN_DEFAULTS.out,
    // Only typed values count: the defaults help shows belong to the library.
    k: typed('k') ? options.k : undefined,
    sets: typed('sets') ? options.sets : undefined,
    fwer: options.fwer,
    units: options.units,
    zero: options.zero === true,
    factors: options.factor,
    seed: options.seed,
    batchSize: options.batchSize,
    device: options.device,
    model: options.model,
    stimuli: options.stimuli,
    resume: options.resume !== false,
  };
  const settings = resolvePatchSettings(raw);
  if (E.isLeft(settings)) throw CliError.from(describePatchError({ _tag: 'InvalidSettings', problems: settings.left }));
  refuseStdioFolder('patch', 'the run folder', settings.right.run);
  const json = options.json === true;
  const quiet = isQuiet(command);
  // Progress and messages go to standard error; --json keeps the messages, --quiet drops both.
  const display = createProgressDisplay(process.stderr, { progress: !json && !quiet, messages: !quiet });
  const controller = new AbortController();
  const stop = () => {
    if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED);
    display.finish();
    process.stderr.write('stopping after the current transformer call (press Ctrl-C again to quit at once)...\n');
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    const outcome = await runPatch(settings.right, { progress: display, signal: controller.signal, versions: { '@moral-plantain/cli': cliVersion() } })();
    if (E.isLeft(outcome)) throw CliError.from(describePatchError(outcome.left), outcome.left._tag === 'Interrupted' ? EXIT_INTERRUPTED : undefined);
    if (json) printJson(summaryJson(outcome.right));
    else printSummary(summaryText(outcome.right), { quiet });
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

function summaryJson(o: PatchOutcome): object {
  return {
    dir: o.dir,
    patch: path.join(o.dir, o.files.json),
    readme: path.join(o.dir, o.files.readme),
    tinyModel: o.tinyModel,
    device: o.device,
    requestedDevice: o.requestedDevice,
    deviceFallbacks: o.deviceFallbacks,
    pairs: o.pairs,
    samples: o.samples,
    batchSize: o.batchSize,
    seconds: o.seconds,
    notes: o.notes,
    effects: o.results.effects.map((e) => ({ k: e.k, mode: e.mode, factor: e.factor, fraction: e.fraction.observed, nullMedian: e.fraction.null.p50, nullP95: e.fraction.null.p95, p: e.fraction.p, pAcrossPairs: e.fraction.acrossPairs.p, change: e.change.observed })),
  };
}

function summaryText(o: PatchOutcome): string {
  const fixed = (x: number | null) => (x === null ? 'n/a' : x.toFixed(3));
  const p = (x: number | null) => (x === null ? 'n/a' : x < 0.001 ? '<0.001' : x.toPrecision(3));
  const rule = o.results.selection.rule;
  const label = (k: number) => (rule === 'top-abs-t' ? `top ${formatCount(k)} by |t|` : rule === 'fwer' ? `${formatCount(k)} with FWER p < ${o.results.selection.alpha}` : `${formatCount(k)} listed`);
  const mode = (e: PatchOutcome['results']['effects'][number]) => (e.mode === 'match' ? 'RMS matched' : e.mode === 'zero' ? 'zero' : `x ${e.factor}`);
  const rows = o.results.effects.map((e) => [
    label(e.k),
    mode(e),
    `${fixed(e.fraction.observed)} (${e.fraction.byDirection.map((v) => v.toFixed(2)).join(' / ')})`,
    `${fixed(e.fraction.null.p50)} [${e.fraction.null.p05.toFixed(2)}, ${e.fraction.null.p95.toFixed(2)}]`,
    p(e.fraction.p),
    `${e.fraction.acrossPairs.pairsInDirection}/${e.fraction.acrossPairs.pairs}`,
    p(e.fraction.acrossPairs.p),
  ]);
  const table = textTable(['units patched', 'scaling', 'fraction (a->b / b->a)', 'random sets: median [p5, p95]', 'p', 'pairs above', 'p (pairs)'], rows);
  const lines = [
    `done in ${formatSeconds(o.seconds.total ?? 0)}, device ${deviceOf(o)}: ${o.pairs.total} pairs (${o.pairs.computed} patched, ${o.pairs.cached} from the cache), ${formatCount(o.samples)} forward passes, ${o.batchSize} per call`,
    ...table.trimEnd().split('\n').map((line) => `  ${line}`),
    `  fraction: share of the a-to-b change of the prediction the patch reproduces, <P - A, B - A> / |B - A|^2; p over ${formatCount(o.results.null.sets)} random unit sets from the same blocks`,
    ...(o.tinyModel ? ['this is the tiny seeded model: the numbers check the pipeline, they are not a finding about FLUX.2'] : []),
    `causal test: ${shownPath(path.join(o.dir, o.files.json))}; the card ${shownPath(path.join(o.dir, o.files.readme))} has a "Causal test" section`,
  ];
  return `${lines.join('\n')}\n`;
}

/** "cpu", "cuda (requested auto; webgpu: ...)", or "none: every pair came from the cache (requested cpu)". */
function deviceOf(o: PatchOutcome): string {
  if (o.device === null) return `none: every pair came from the cache (requested ${o.requestedDevice})`;
  const details = [...(o.requestedDevice !== o.device ? [`requested ${o.requestedDevice}`] : []), ...o.deviceFallbacks.map((f) => `${f.device}: ${f.reason}`)];
  return details.length > 0 ? `${o.device} (${details.join('; ')})` : o.device;
}
