/**
 * `_pack_latents` (`pipelines/flux2/pipeline_flux2_klein.py`, lines 388-396): one image's
 * patchified latents [C, rows, cols] to tokens [rows x cols, C], row-major over the grid.
 */
export function packLatents(latents: Float32Array, channels: number, rows: number, cols: number): Float32Array {
  const plane = rows * cols;
  const out = new Float32Array(plane * channels);
  for (let c = 0; c < channels; c++) for (let s = 0; s < plane; s++) out[s * channels + c] = latents[c * plane + s]!;
  return out;
}

/**
 * The inverse, `_unpack_latents_with_ids` (lines 399-426) for the noisy tokens, whose ids are
 * (0, i, j, 0) in row-major order: tokens [rows x cols, C] back to [C, rows, cols].
 */
export function unpackLatents(tokens: Float32Array, channels: number, rows: number, cols: number): Float32Array {
  const plane = rows * cols;
  const out = new Float32Array(plane * channels);
  for (let s = 0; s < plane; s++) for (let c = 0; c < channels; c++) out[c * plane + s] = tokens[s * channels + c]!;
  return out;
}
