/**
 * Test helpers that look at a figure as its reader does: the SVG rasterised to PNG by resvg (a
 * renderer independent of vega), with the DejaVu fonts of the `dejavu-fonts-ttf` package so text
 * renders the same on every machine, and questions about the pixels.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { Resvg } from '@resvg/resvg-js';

const fontDir = path.dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'));

/** A rasterised figure: RGBA pixels, row-major, and the PNG file. */
export interface Raster {
  readonly width: number;
  readonly height: number;
  readonly pixels: Uint8Array;
  readonly png: Buffer;
}

/** Renders SVG text to PNG at `zoom` pixels per SVG unit, sans-serif text in DejaVu Sans. */
export function rasterise(svg: string, zoom = 1): Raster {
  const image = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: zoom },
    font: { loadSystemFonts: false, fontDirs: [fontDir], defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  }).render();
  return { width: image.width, height: image.height, pixels: new Uint8Array(image.pixels), png: image.asPng() };
}

/** The SVG's declared size, in SVG units. */
export function svgSize(svg: string): { width: number; height: number } {
  const match = /^<svg [^>]*width="([\d.]+)" height="([\d.]+)"/.exec(svg);
  if (!match) throw new Error('no width and height on the <svg> element');
  return { width: Number(match[1]), height: Number(match[2]) };
}

/** The plot (data rectangle) of a vega SVG: its top-left corner and size, in SVG units. */
export function plotArea(svg: string): { left: number; top: number; width: number; height: number } {
  const origin = /<g fill="none" stroke-miterlimit="4" transform="translate\(([\d.]+),([\d.]+)\)">/.exec(svg);
  const frame = /<path class="background" aria-hidden="true" d="M0\.5,0\.5h([\d.]+)v([\d.]+)h/.exec(svg);
  if (!origin || !frame) throw new Error('no vega plot frame in the SVG');
  return { left: Number(origin[1]), top: Number(origin[2]), width: Number(frame[1]), height: Number(frame[2]) };
}

/** A region of pixels of one colour: its pixel count, bounding box and centre. */
export interface Blob {
  readonly area: number;
  readonly x0: number;
  readonly x1: number;
  readonly y0: number;
  readonly y1: number;
  readonly cx: number;
  readonly cy: number;
}

function rgb(hex: string): [number, number, number] {
  const value = Number.parseInt(hex.replace('#', ''), 16);
  return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
}

/** Whether pixel i is opaque and within `tolerance` (per channel) of the colour. */
function matches(raster: Raster, i: number, colour: [number, number, number], tolerance: number): boolean {
  const p = raster.pixels;
  return p[4 * i + 3]! > 250 && Math.abs(p[4 * i]! - colour[0]) <= tolerance && Math.abs(p[4 * i + 1]! - colour[1]) <= tolerance && Math.abs(p[4 * i + 2]! - colour[2]) <= tolerance;
}

/** Pixels of the colour (within `tolerance` per channel), optionally inside a box [x0, x1) x [y0, y1). */
export function countColour(raster: Raster, hex: string, tolerance = 8, box?: { x0: number; x1: number; y0: number; y1: number }): number {
  const colour = rgb(hex);
  const { x0 = 0, x1 = raster.width, y0 = 0, y1 = raster.height } = box ?? {};
  let n = 0;
  for (let y = Math.max(0, y0); y < Math.min(raster.height, y1); y++) {
    for (let x = Math.max(0, x0); x < Math.min(raster.width, x1); x++) if (matches(raster, y * raster.width + x, colour, tolerance)) n++;
  }
  return n;
}

/** Connected regions (4-neighbour) of the colour with at least `minArea` pixels, top to bottom, then left to right. */
export function blobs(raster: Raster, hex: string, minArea = 4, tolerance = 8): Blob[] {
  const colour = rgb(hex);
  const seen = new Uint8Array(raster.width * raster.height);
  const found: Blob[] = [];
  const stack: number[] = [];
  for (let start = 0; start < seen.length; start++) {
    if (seen[start] || !matches(raster, start, colour, tolerance)) continue;
    let area = 0;
    let x0 = Infinity;
    let x1 = -Infinity;
    let y0 = Infinity;
    let y1 = -Infinity;
    let sx = 0;
    let sy = 0;
    seen[start] = 1;
    stack.push(start);
    while (stack.length > 0) {
      const i = stack.pop()!;
      const x = i % raster.width;
      const y = Math.floor(i / raster.width);
      area++;
      sx += x;
      sy += y;
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
      for (const j of [x > 0 ? i - 1 : -1, x < raster.width - 1 ? i + 1 : -1, i - raster.width, i + raster.width]) {
        if (j >= 0 && j < seen.length && !seen[j] && matches(raster, j, colour, tolerance)) {
          seen[j] = 1;
          stack.push(j);
        }
      }
    }
    if (area >= minArea) found.push({ area, x0, x1, y0, y1, cx: sx / area, cy: sy / area });
  }
  return found.sort((a, b) => a.y0 - b.y0 || a.x0 - b.x0);
}

/** Share of the pixels that are not (near) white: 0 for a blank image. */
export function inkShare(raster: Raster): number {
  let ink = 0;
  const p = raster.pixels;
  for (let i = 0; i < raster.width * raster.height; i++) if (p[4 * i + 3]! > 0 && (p[4 * i]! < 235 || p[4 * i + 1]! < 235 || p[4 * i + 2]! < 235)) ink++;
  return ink / (raster.width * raster.height);
}

/** Dark (text-like) pixels in a box: near-black, as titles and labels are drawn. */
export function darkPixels(raster: Raster, box: { x0: number; x1: number; y0: number; y1: number }): number {
  let n = 0;
  const p = raster.pixels;
  for (let y = box.y0; y < Math.min(raster.height, box.y1); y++) {
    for (let x = box.x0; x < Math.min(raster.width, box.x1); x++) {
      const i = 4 * (y * raster.width + x);
      if (p[i + 3]! > 200 && p[i]! < 90 && p[i + 1]! < 90 && p[i + 2]! < 90) n++;
    }
  }
  return n;
}
