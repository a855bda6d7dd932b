import type { Config } from 'vega-lite';

/** Font sizes of every figure, in SVG pixels: tick labels, axis and legend titles, figure titles. */
export const FONT_SIZE = { label: 12, title: 13, heading: 15, subtitle: 12 } as const;

/**
 * Colours shared by the figures (Okabe-Ito, safe for colour-blind readers): the observed data in
 * blue, its null in greys, thresholds in vermillion.
 */
export const COLOURS = {
  observed: '#0072b2',
  nullDark: '#4d4d4d',
  nullLight: '#a6a6a6',
  threshold: '#d55e00',
  fwer: '#cc79a7',
} as const;

/** vega-lite config of every figure: readable font sizes, titles at the left, light grid lines. */
export const FIGURE_CONFIG: Config = {
  font: 'sans-serif',
  background: 'white',
  padding: 8,
  title: { fontSize: FONT_SIZE.heading, subtitleFontSize: FONT_SIZE.subtitle, subtitleColor: '#333', anchor: 'start', offset: 12, subtitlePadding: 4 },
  axis: {
    labelFontSize: FONT_SIZE.label,
    titleFontSize: FONT_SIZE.title,
    titleFontWeight: 'normal',
    labelColor: '#222',
    titleColor: '#222',
    gridColor: '#e8e8e8',
    domainColor: '#666',
    tickColor: '#666',
  },
  legend: { labelFontSize: FONT_SIZE.label, titleFontSize: FONT_SIZE.label, titleFontWeight: 'normal', labelLimit: 0, symbolStrokeWidth: 2 },
  view: { stroke: '#999' },
};

/** The vega-lite schema every figure declares. */
export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Width in pixels the figures estimate for a line of text (vega's headless renderer has no font metrics either). */
export function textWidth(text: string, fontSize: number = FONT_SIZE.label): number {
  return text.length * fontSize * 0.65;
}

/**
 * Breaks text into lines that vega's headless layout takes to be at most `pixels` wide (it estimates
 * 0.8 em per character), so a subtitle never widens a figure beyond its plot.
 */
export function wrapLines(text: string, pixels: number, fontSize: number = FONT_SIZE.subtitle): string[] {
  const perLine = Math.max(20, Math.floor(pixels / (0.8 * fontSize)));
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w.length > 0)) {
    if (line.length > 0 && line.length + 1 + word.length > perLine) {
      lines.push(line);
      line = word;
    } else line = line.length > 0 ? `${line} ${word}` : word;
  }
  if (line.length > 0) lines.push(line);
  return lines;
}
