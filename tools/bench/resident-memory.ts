/**
 * One model resident at a time, measured: a model folder at klein 4B's widths with seeded float32
 * weights (external data) — a Qwen3-4B-wide text encoder cut to 3 layers (hidden states 1, 2, 3 ->
 * 3 x 2560 = 7680 channels, the real 151,936-id vocabulary) and a FLUX.2 klein-4B-wide transformer
 * cut to 1 joint + 2 single blocks — probed in a child process (PAIRS pairs, default 2, 256 x 256 px,
 * 512 text tokens, CPU). The child reports each session it opens or releases and each probe stage
 * on standard error, with its VmRSS and VmHWM at that moment (/proc/self/status); the parent samples
 * the child's VmRSS every 20 ms. Prints the peak RSS of the encode phase (text encoder open) and of
 * the transformer phase (transformer open), the RSS between them, and both models' weights on disk:
 * the old design held both sessions for the whole run, so its weights alone were their sum. The
 * build takes most of the time (4 to 6 minutes on a busy 2-core machine); BENCH_DIR=<folder> keeps
 * the built folder there and reuses it on the next run. Run from the repository root:
 * node --conditions=@moral-plantain/source --import tsx tools/bench/resident-memory.ts
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as E from 'fp-ts/lib/Either.js';
import { buildModelFolder, flux2Presets, qwen3Presets, seededWeights } from '@moral-plantain/model-builder';
import { defaultQwen3TokenizerDir, loadQwen3Tokenizer, openModelFolder, qwen3Tokenize, runProbe, type ModelFolder } from '@moral-plantain/model-runtime';

const GiB = 2 ** 30;
const pairCount = Number(process.env['PAIRS'] ?? 2);

function must<T>(value: E.Either<unknown, T>): T {
  if (E.isLeft(value)) throw new Error(JSON.stringify(value.left));
  return value.right;
}

/** VmRSS and VmHWM of a process in bytes (`/proc/<pid>/status`), or null once it is gone. */
function memoryOf(pid: number | 'self'): { rss: number; hwm: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
    return { rss: kib('VmRSS'), hwm: kib('VmHWM') };
  } catch {
    return null;
  }
}

/** The child: the probe, with a marker line on standard error at each session event and stage change. */
async function probeChild(dir: string): Promise<void> {
  const mark = (what: string) => {
    const m = memoryOf('self');
    process.stderr.write(`mark ${what} ${m?.rss ?? 0} ${m?.hwm ?? 0}\n`);
  };
  mark('start');
  const folder = must(await openModelFolder(dir)());
  const tokenizer = must(await loadQwen3Tokenizer());
  const pairs = Array.from({ length: pairCount }, (_, i) => ({
    id: `p${i}`,
    a: `A photo of a person ${i} helping a neighbour carry a heavy box up the stairs.`,
    b: `A photo of a person ${i} ignoring a neighbour carrying a heavy box up the stairs.`,
  }));
  let stage = '';
  const result = must(
    await runProbe(folder, {
      pairs,
      tokenize: qwen3Tokenize(tokenizer),
      resolution: [256, 256],
      tappedDir: dir,
      onProgress: (p) => {
        if (p.stage !== stage) mark(`stage-${(stage = p.stage)}`);
      },
      onSessionEvent: (event) => mark(`${event.action}-${event.slot}`),
    })()
  );
  mark('end');
  process.stdout.write(
    JSON.stringify({
      seconds: result.seconds,
      prompts: result.prompts.computed,
      units: result.activations.nUnits,
    })
  );
}

interface Mark {
  readonly what: string;
  readonly rss: number;
  readonly hwm: number;
}

/** The child run: its marks in order, the peak sampled VmRSS between consecutive marks, and its result. */
async function sampledProbe(dir: string): Promise<{
  marks: Mark[];
  peaks: number[];
  result: { seconds: Record<string, number>; prompts: number; units: number };
}> {
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--probe', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  const marks: Mark[] = [];
  const peaks: number[] = [0];
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    let newline: number;
    while ((newline = stderr.indexOf('\n')) >= 0) {
      const line = stderr.slice(0, newline);
      stderr = stderr.slice(newline + 1);
      const match = /^mark (\S+) (\d+) (\d+)$/.exec(line);
      if (!match) {
        process.stderr.write(`${line}\n`);
        continue;
      }
      marks.push({
        what: match[1]!,
        rss: Number(match[2]),
        hwm: Number(match[3]),
      });
      peaks.push(0);
    }
  });
  const timer = setInterval(() => {
    const m = child.pid === undefined ? null : memoryOf(child.pid);
    if (m) peaks[peaks.length - 1] = Math.max(peaks.at(-1)!, m.rss);
  }, 20);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearInterval(timer);
  if (code !== 0) throw new Error(`the probe child exited with ${code}`);
  return { marks, peaks, result: JSON.parse(stdout) };
}

function bytesOf(folder: ModelFolder, role: 'transformer' | 'textEncoder'): number {
  const graph = role === 'transformer' ? folder.transformer : folder.textEncoder;
  return graph === null ? 0 : graph.bytes + graph.externalData.reduce((sum, d) => sum + d.bytes, 0);
}

async function main(): Promise<void> {
  const kept = process.env['BENCH_DIR'];
  const dir = kept ?? (await mkdtemp(path.join(tmpdir(), 'bench-resident-')));
  try {
    const text = qwen3Presets['qwen3-4b'];
    const buildStart = performance.now();
    if (!kept || !existsSync(path.join(kept, 'model.json')))
      must(
        await buildModelFolder({
          out: dir,
          name: 'resident-memory',
          tiny: false,
          seeds: { transformer: 0, textEncoder: 0 },
          transformer: {
            config: {
              ...flux2Presets['klein-4b'],
              num_layers: 1,
              num_single_layers: 2,
            },
            weights: seededWeights({ seed: 0 }),
          },
          textEncoder: {
            config: {
              ...text,
              model: { ...text.model, num_hidden_layers: 3 },
              outputLayers: [1, 2, 3],
            },
            weights: seededWeights({ seed: 0 }),
          },
          tokenizerDir: defaultQwen3TokenizerDir(),
          externalData: true,
          textEncoderExternalData: true,
        })
      );
    const buildSeconds = (performance.now() - buildStart) / 1000;
    const folder = must(await openModelFolder(dir)());
    const encoderBytes = bytesOf(folder, 'textEncoder');
    const transformerBytes = bytesOf(folder, 'transformer');
    const { marks, peaks, result } = await sampledProbe(dir);
    const gib = (bytes: number) => `${(bytes / GiB).toFixed(2)} GiB`;
    const index = (what: string) => marks.findIndex((m) => m.what === what);
    const [openEncoder, releaseEncoder, openTransformer] = [index('open-text-encoder'), index('release-text-encoder'), index('open-transformer')];
    if (openEncoder < 0 || releaseEncoder < openEncoder || openTransformer < releaseEncoder) throw new Error(`unexpected session order: ${marks.map((m) => m.what).join(', ')}`);
    // peaks[i + 1] is the largest VmRSS sampled after mark i and before mark i + 1.
    const peakBetween = (from: number, to: number) => Math.max(...marks.slice(from, to + 1).map((m) => m.rss), ...peaks.slice(from + 1, to + 1));
    const encodePeak = peakBetween(openEncoder, releaseEncoder);
    const transformerPeak = peakBetween(openTransformer, marks.length - 1);
    const end = marks.at(-1)!;
    const lines = [
      `one model resident at a time: ${pairCount * 2} prompts at 256 x 256 px, 512 text tokens, CPU (build ${buildSeconds.toFixed(0)} s)`,
      `weights on disk: text encoder ${gib(encoderBytes)} (Qwen3-4B width, 3 layers, vocabulary 151,936), transformer ${gib(transformerBytes)} (klein 4B width, 1 joint + 2 single blocks)`,
      `old design (both sessions open for the whole run): at least ${gib(encoderBytes + transformerBytes)} of weights resident`,
      `process before any session (tokenizer and tapped graph ready): ${gib(marks[openEncoder - 1]!.rss)} RSS`,
      `encode phase (text encoder open; ${gib(marks[openEncoder]!.rss)} once loaded): peak RSS ${gib(encodePeak)} sampled; VmHWM at its release ${gib(marks[releaseEncoder]!.hwm)}`,
      `between the phases (text encoder released): ${gib(marks[releaseEncoder]!.rss)} RSS`,
      `transformer phase (transformer open; ${gib(marks[openTransformer]!.rss)} once loaded): peak RSS ${gib(transformerPeak)} sampled; VmHWM at the end ${gib(end.hwm)}`,
      `probe stages: ${Object.entries(result.seconds)
        .map(([stage, s]) => `${stage} ${s.toFixed(1)} s`)
        .join(', ')}; ${result.units} units`,
      `marks: ${marks.map((m) => `${m.what} ${gib(m.rss)}`).join(', ')}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    if (!kept) await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--probe') await probeChild(process.argv[3]!);
else await main();
