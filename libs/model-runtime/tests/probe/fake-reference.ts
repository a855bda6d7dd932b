import { FAKE_DIMS, type FakeDims, type FakeWeights } from './fake-models.js';

/**
 * The fake transformer's tap values computed directly in float64 (no ONNX): per-unit RMS over all
 * tokens of h = [c ; x] (joint tap) then of [tanh(y), y] (single tap). Ids are built here on
 * their own: image (0, row, col, 0) row-major, text (0, 0, 0, l).
 */
export function referenceUnits(
  text: Float32Array,
  textTokens: number,
  noise: Float32Array,
  grid: { rows: number; cols: number },
  timestep: number,
  w: FakeWeights,
  unitWidth: number,
  dims: FakeDims = FAKE_DIMS,
): Float64Array {
  const { channels: c, width: d, textWidth: tw } = dims;
  const imageTokens = grid.rows * grid.cols;
  const tokens = textTokens + imageTokens;
  const h = new Float64Array(tokens * d);
  for (let s = 0; s < textTokens; s++) {
    const ids = [0, 0, 0, s];
    for (let j = 0; j < d; j++) {
      let v = 0;
      for (let k = 0; k < tw; k++) v += text[s * tw + k]! * w.wc[k * d + j]!;
      for (let k = 0; k < 4; k++) v += ids[k]! * w.wt[k * d + j]!;
      h[s * d + j] = v;
    }
  }
  for (let r = 0; r < grid.rows; r++) {
    for (let q = 0; q < grid.cols; q++) {
      const s = r * grid.cols + q;
      const ids = [0, r, q, 0];
      for (let j = 0; j < d; j++) {
        let v = timestep;
        for (let k = 0; k < c; k++) v += noise[s * c + k]! * w.wx[k * d + j]!;
        for (let k = 0; k < 4; k++) v += ids[k]! * w.wi[k * d + j]!;
        h[(textTokens + s) * d + j] = v;
      }
    }
  }
  const u = new Float64Array(tokens * 2 * d);
  for (let s = 0; s < tokens; s++) {
    for (let j = 0; j < d; j++) {
      let y = 0;
      for (let k = 0; k < d; k++) y += h[s * d + k]! * w.wo[k * d + j]!;
      u[s * 2 * d + j] = Math.tanh(y);
      u[s * 2 * d + d + j] = y;
    }
  }
  return Float64Array.from([...rms(h, tokens, d, unitWidth), ...rms(u, tokens, 2 * d, unitWidth)]);
}

function rms(values: Float64Array, tokens: number, width: number, unitWidth: number): number[] {
  const out: number[] = [];
  for (let unit = 0; unit < width / unitWidth; unit++) {
    let sum = 0;
    for (let s = 0; s < tokens; s++) for (let j = unit * unitWidth; j < (unit + 1) * unitWidth; j++) sum += values[s * width + j]! ** 2;
    out.push(Math.sqrt(sum / (tokens * unitWidth)));
  }
  return out;
}
