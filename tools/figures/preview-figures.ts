/**
 * Renders the report's figures as SVG and PNG, to look at them as a reader of the report will:
 *
 * - `real-size/`: synthetic data at the size of the FLUX.2 [klein] 4B probe (25 pairs; 16,320 units in
 *   5 joint blocks of 192 and 20 single blocks of 768) with a planted effect and a shared per-pair
 *   factor (so null counts spread as in real activations), through the real paired test;
 * - `no-effect/`: pure noise in 72 units with thresholds nothing reaches (every count and null
 *   p99 is 0) and a few zero-variance units;
 * - `no-defined-t/`: every unit of zero variance, no split-half;
 * - with `--svg DIR`, every `DIR/figures/*.svg` (for example a run folder) rasterised as it is.
 *
 * Run from the repository root:
 *   node --conditions=@moral-plantain/source --import tsx tools/figures/preview-figures.ts --out /tmp/figures [--svg RUN_DIR]
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Resvg } from '@resvg/resvg-js';
import { createPrng } from '@moral-plantain/formats';
import { renderFigures, resultDistributions } from '@moral-plantain/report';
import { pairedTest, type PairedTestOptions } from '@moral-plantain/stats';

const { values } = parseArgs({ options: { out: { type: 'string' }, svg: { type: 'string' } } });
if (!values.out) throw new Error('usage: preview-figures.ts --out DIR [--svg RUN_DIR]');
const out = values.out;
const fontDir = path.dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'));

await preview('real-size', realSize(), { permutations: 1000, seed: 7 });
await preview('no-effect', noise(72, 25, 4), { thresholds: [{ stat: 't', value: 6 }, { stat: 't', value: 8 }, { stat: 'd', value: 2 }] });
await preview('no-defined-t', noise(72, 25, 72), { splits: 0 });
if (values.svg) {
  const dir = path.join(values.svg, 'figures');
  for (const name of (await readdir(dir)).filter((f) => f.endsWith('.svg'))) {
    await writePng(path.join(out, 'svg', name), await readFile(path.join(dir, name), 'utf8'));
  }
}

async function preview(name: string, data: { a: Float32Array; b: Float32Array; nPairs: number; groups: string[] }, options: PairedTestOptions): Promise<void> {
  const started = performance.now();
  const shape = [data.nPairs, data.groups.length];
  const tested = await pairedTest({ a: { data: data.a, shape }, b: { data: data.b, shape } }, { groups: data.groups, ...options })();
  if (tested._tag === 'Left') throw new Error(JSON.stringify(tested.left));
  const { results, nulls } = tested.right;
  const figures = await renderFigures(results, resultDistributions(nulls))();
  if (figures._tag === 'Left') throw new Error(JSON.stringify(figures.left));
  for (const figure of figures.right) await writePng(path.join(out, name, path.basename(figure.path)), figure.svg);
  const summary = results.thresholds.map((th) => `|${th.stat}| > ${th.value}: ${th.observed} (null p99 ${th.nullP99})`).join('; ');
  console.log(`${name}: ${results.nUnits} units, ${summary} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
}

async function writePng(svgPath: string, svg: string): Promise<void> {
  await mkdir(path.dirname(svgPath), { recursive: true });
  await writeFile(svgPath, svg);
  const image = new Resvg(svg, { fitTo: { mode: 'zoom', value: 2 }, font: { loadSystemFonts: false, fontDirs: [fontDir], defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' } }).render();
  await writeFile(svgPath.replace(/\.svg$/, '.png'), image.asPng());
  console.log(`  ${svgPath.replace(/\.svg$/, '.png')} ${image.width}x${image.height}`);
}

/** 25 pairs x 16,320 units: a per-pair factor shared by all units, 20% of units shifted, strong effects in a few blocks. */
function realSize(): { a: Float32Array; b: Float32Array; nPairs: number; groups: string[] } {
  const nPairs = 25;
  const groups = [...Array.from({ length: 5 * 192 }, (_, u) => `joint[${Math.floor(u / 192)}]`), ...Array.from({ length: 20 * 768 }, (_, u) => `single[${Math.floor(u / 768)}]`)];
  const prng = createPrng(2024);
  const uniform = () => (prng.nextUint32() + 1) / 2 ** 32;
  const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  const nUnits = groups.length;
  const effect = Float64Array.from(groups, (g) => {
    const strong = g === 'single[19]' || g === 'joint[3]' || g === 'single[12]';
    if (uniform() < (strong ? 0.3 : 0.15)) return (uniform() < 0.5 ? -1 : 1) * (strong ? 1.5 : 0.7) * (0.5 + uniform());
    return 0;
  });
  const loading = Float64Array.from({ length: nUnits }, () => 0.4 * normal());
  const a = new Float32Array(nPairs * nUnits);
  const b = new Float32Array(nPairs * nUnits);
  for (let i = 0; i < nPairs; i++) {
    const shared = normal();
    for (let u = 0; u < nUnits; u++) {
      const base = 1 + 0.2 * normal();
      a[i * nUnits + u] = base + 0.1 * (effect[u]! + loading[u]! * shared + normal());
      b[i * nUnits + u] = base;
    }
  }
  return { a, b, nPairs, groups };
}

/** Pure noise; the last `constant` units differ by the same amount in every pair (zero variance). */
function noise(nUnits: number, nPairs: number, constant: number): { a: Float32Array; b: Float32Array; nPairs: number; groups: string[] } {
  const prng = createPrng(99);
  const uniform = () => (prng.nextUint32() + 1) / 2 ** 32;
  const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  const groups = Array.from({ length: nUnits }, (_, u) => (u < 8 ? `joint[${u >> 2}]` : `single[${(u - 8) >> 4}]`));
  const a = new Float32Array(nPairs * nUnits);
  const b = new Float32Array(nPairs * nUnits);
  for (let i = 0; i < a.length; i++) {
    const u = i % nUnits;
    b[i] = 1 + normal();
    a[i] = u >= nUnits - constant ? (b[i] as number) + 0.5 : (b[i] as number) + normal();
  }
  return { a, b, nPairs, groups };
}
