import type { StimulusSet } from '@moral-plantain/stimuli';
import type { ImageIndex } from './image-set.js';

/** The file name of a generated set's contact sheet. */
export const CONTACT_SHEET_FILE = 'index.html';

/** What a contact sheet shows besides the images. */
export interface ContactSheetInput {
  readonly set: StimulusSet;
  readonly index: ImageIndex;
  /** A warning shown at the top (the tiny model's images are noise-like), or null. */
  readonly note: string | null;
}

/**
 * A self-contained HTML page that shows each pair's condition a and condition b images side by
 * side (and its neutral scene image, when generated), with the pair's id, category, scene and
 * prompts, and how the images were made. Images are linked by their relative paths.
 */
export function contactSheet({ set, index, note }: ContactSheetInput): string {
  const byPair = new Map<string, Map<string, string>>();
  for (const image of index.images) {
    if (image.pair === undefined || image.condition === undefined) continue;
    const row = byPair.get(image.pair) ?? new Map<string, string>();
    row.set(image.condition, image.file);
    byPair.set(image.pair, row);
  }
  const withNeutral = index.images.some((i) => i.condition === 'neutral');
  const s = index.sampling;
  // Every image is shown 256 pixels wide: large ones shrink, small ones (the tiny model's) grow, pixelated.
  const width = 256;
  const pixelated = s.resolution.width < width;
  const cell = (file: string | undefined, text: string, label: string) =>
    `<td>${file ? `<img src="${attr(file)}" width="${width}"${pixelated ? ' class="pixelated"' : ''} alt="${attr(label)}" loading="lazy">` : '<p class="missing">not generated</p>'}<p>${html(text)}</p></td>`;
  const rows = set.pairs.map((pair) => {
    const files = byPair.get(pair.id);
    return [
      '<tr>',
      `<th scope="row">${html(pair.id)}<br><span>${html(pair.category)}</span><br><span>${html(pair.scene)}</span></th>`,
      cell(files?.get('a'), pair.a, `${pair.id} a: ${set.conditions.a}`),
      cell(files?.get('b'), pair.b, `${pair.id} b: ${set.conditions.b}`),
      withNeutral ? cell(files?.get('neutral'), pair.neutral ?? '', `${pair.id} neutral scene`) : '',
      '</tr>',
    ].join('');
  });
  const sampling =
    `${s.steps} step${s.steps === 1 ? '' : 's'}, ${s.guided ? `classifier-free guidance ${s.guidance} (negative prompt "")` : `no classifier-free guidance${s.isDistilled ? ' (distilled checkpoint)' : ''}`}, ` +
    `seed ${s.seed}, ${s.resolution.width} x ${s.resolution.height} pixels`;
  return `<!doctype html>
<html lang="${attr(set.language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${html(`${set.name} ${set.version}: generated images`)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #222; }
table { border-collapse: collapse; }
th, td { border-top: 1px solid #ccc; padding: 0.5rem; vertical-align: top; text-align: left; max-width: ${width + 16}px; }
th span { font-weight: normal; color: #555; font-size: 0.9em; }
td p { font-size: 0.85em; margin: 0.3rem 0 0; }
.note { background: #fff4d6; padding: 0.5rem 0.8rem; border-left: 4px solid #e0a800; }
.missing { color: #a00; }
img.pixelated { image-rendering: pixelated; }
</style>
</head>
<body>
<h1>${html(`${set.name} ${set.version}`)}: generated images</h1>
<p>${html(set.description)}</p>
<p>Model: ${html(index.model)}. ${html(sampling)}. Condition a: ${html(set.conditions.a)}; condition b: ${html(set.conditions.b)}.</p>
${note ? `<p class="note">${html(note)}</p>\n` : ''}<table>
<thead><tr><th scope="col">pair</th><th scope="col">a: ${html(set.conditions.a)}</th><th scope="col">b: ${html(set.conditions.b)}</th>${withNeutral ? '<th scope="col">neutral scene</th>' : ''}</tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
</body>
</html>
`;
}

function html(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function attr(text: string): string {
  return html(text).replace(/"/g, '&quot;');
}
