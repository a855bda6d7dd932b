import * as E from 'fp-ts/lib/Either.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  describeConfigProblem,
  flux2InnerDim,
  flux2MlpHidden,
  flux2Preset,
  flux2Presets,
  parseFlux2Config,
  readFlux2ConfigFile,
  validateFlux2Config,
  type Flux2Config,
} from '../../src/index.js';

/** klein 4B's config.json as diffusers writes it (keys from Flux2Transformer2DModel.__init__ plus diffusers' bookkeeping). */
const KLEIN_4B_JSON = {
  _class_name: 'Flux2Transformer2DModel',
  _diffusers_version: '0.36.0.dev0',
  attention_head_dim: 128,
  axes_dims_rope: [32, 32, 32, 32],
  eps: 1e-6,
  guidance_embeds: false,
  in_channels: 128,
  joint_attention_dim: 7680,
  mlp_ratio: 3.0,
  num_attention_heads: 24,
  num_layers: 5,
  num_single_layers: 20,
  out_channels: null,
  patch_size: 1,
  rope_theta: 2000,
  timestep_guidance_channels: 256,
};

describe('FLUX.2 configs', () => {
  it('has valid presets with the documented widths', () => {
    const presets = flux2Presets;
    for (const config of Object.values(presets)) expect(E.isRight(validateFlux2Config(config))).toBe(true);
    expect([flux2InnerDim(presets['klein-4b']), flux2MlpHidden(presets['klein-4b'])]).toEqual([3072, 9216]);
    expect([flux2InnerDim(presets['klein-9b']), presets['klein-9b'].joint_attention_dim]).toEqual([4096, 12288]);
    expect([flux2InnerDim(presets.dev), presets.dev.num_single_layers, presets.dev.guidance_embeds]).toEqual([6144, 48, true]);
    const tiny = presets.tiny;
    expect([tiny.num_attention_heads, tiny.attention_head_dim, tiny.num_layers, tiny.num_single_layers, tiny.mlp_ratio, tiny.joint_attention_dim]).toEqual([4, 16, 2, 4, 3, 96]);
    expect(tiny.axes_dims_rope).toEqual([4, 4, 4, 4]);
  });

  it('names an unknown preset and lists the known ones', () => {
    const result = flux2Preset('klein-2b');
    expect(E.isLeft(result) && result.left).toEqual([{ _tag: 'UnknownPreset', preset: 'klein-2b', known: ['klein-4b', 'klein-9b', 'dev', 'tiny'] }]);
  });

  it('reports every problem of a config at once', () => {
    const bad: Flux2Config = { ...flux2Presets.tiny, num_attention_heads: 0, axes_dims_rope: [4, 4, 4, 6], eps: -1, mlp_ratio: Number.NaN, patch_size: 1.5 };
    const result = validateFlux2Config(bad);
    expect(E.isLeft(result)).toBe(true);
    const problems = E.isLeft(result) ? result.left : [];
    expect(problems.map((p) => (p._tag === 'InvalidValue' ? p.key : p._tag === 'Inconsistent' ? p.keys.join('+') : p._tag)).sort()).toEqual(
      ['axes_dims_rope+attention_head_dim', 'eps', 'mlp_ratio', 'num_attention_heads', 'patch_size'].sort(),
    );
    expect(problems.map((p) => describeConfigProblem(p, 'FLUX.2').message).join('\n')).toMatch(/sum to 18 but each head has 16 dims/);
  });

  it('rejects odd RoPE axis dims (cos/sin come in channel pairs)', () => {
    const result = validateFlux2Config({ ...flux2Presets.tiny, axes_dims_rope: [3, 5, 4, 4] });
    expect(E.isLeft(result) && result.left.map((p) => p._tag)).toEqual(['InvalidValue']);
  });

  it('parses a diffusers config.json, reporting the keys it ignores', () => {
    const parsed = parseFlux2Config(KLEIN_4B_JSON);
    expect(E.isRight(parsed)).toBe(true);
    if (E.isLeft(parsed)) return;
    expect(parsed.right.config).toEqual(flux2Presets['klein-4b']);
    expect(parsed.right.ignoredKeys).toEqual(['_class_name', '_diffusers_version']);
  });

  it('names every missing required key, and defaults out_channels and guidance_embeds as diffusers does', () => {
    const { num_layers: _a, rope_theta: _b, out_channels: _c, guidance_embeds: _d, ...rest } = KLEIN_4B_JSON;
    const missing = parseFlux2Config(rest);
    expect(E.isLeft(missing) && missing.left).toEqual([
      { _tag: 'MissingKey', key: 'num_layers' },
      { _tag: 'MissingKey', key: 'rope_theta' },
    ]);
    const defaults = parseFlux2Config({ ...rest, num_layers: 5, rope_theta: 2000 });
    expect(E.isRight(defaults) && [defaults.right.config.out_channels, defaults.right.config.guidance_embeds]).toEqual([null, true]);
  });

  it('reports wrong values and missing keys together, and refuses a non-object', () => {
    const { eps: _eps, ...rest } = KLEIN_4B_JSON;
    const result = parseFlux2Config({ ...rest, num_attention_heads: '24' });
    expect(E.isLeft(result) && result.left.map((p) => p._tag)).toEqual(['MissingKey', 'InvalidValue']);
    const notObject = parseFlux2Config([1, 2], 'x/config.json');
    expect(E.isLeft(notObject) && notObject.left.map((p) => describeConfigProblem(p, 'FLUX.2').message)).toEqual(['x/config.json is not a JSON object of FLUX.2 config keys.']);
  });

  it('reads a config.json file, and says why one cannot be read', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'flux2-config-'));
    try {
      await writeFile(path.join(dir, 'config.json'), JSON.stringify(KLEIN_4B_JSON));
      await writeFile(path.join(dir, 'broken.json'), '{"num_layers": 5,');
      const good = await readFlux2ConfigFile(path.join(dir, 'config.json'));
      expect(E.isRight(good) && good.right.config.num_single_layers).toBe(20);
      const broken = await readFlux2ConfigFile(path.join(dir, 'broken.json'));
      expect(E.isLeft(broken) && broken.left.map((p) => describeConfigProblem(p, 'FLUX.2').message)[0]).toMatch(/broken.json: not JSON/);
      const absent = await readFlux2ConfigFile(path.join(dir, 'absent.json'));
      expect(E.isLeft(absent) && absent.left).toEqual([{ _tag: 'ConfigUnreadable', source: path.join(dir, 'absent.json'), reason: 'ENOENT' }]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
