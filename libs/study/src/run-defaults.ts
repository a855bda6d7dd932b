// The defaults of a probe run, in a module of their own that loads no model library, so that
// `moral-plantain --help` can show them quickly (package subpath @moral-plantain/study/run-defaults).
import { DEFAULT_UNIT_WIDTH } from '@moral-plantain/formats';
import { PAIRED_TEST_DEFAULTS } from '@moral-plantain/stats';
import type { SettingName } from './run-settings.js';

/** Defaults of every setting (the embedded tiny model, the built-in set, ./moral-plantain-out), as text where the value is parsed. */
export const RUN_DEFAULTS = {
  model: null,
  revision: null,
  textLayers: null,
  quantize: null,
  quantBlockSize: null,
  stimuli: 'moral-plantain',
  out: 'moral-plantain-out',
  device: 'cpu',
  seed: String(PAIRED_TEST_DEFAULTS.seed),
  resolution: null,
  batchSize: '1',
  permutations: String(PAIRED_TEST_DEFAULTS.permutations),
  splits: String(PAIRED_TEST_DEFAULTS.splits),
  unitWidth: String(DEFAULT_UNIT_WIDTH),
  channels: null,
  reference: null,
  unitTokens: 'all',
  referenceSteps: null,
  resume: true,
  shard: null,
  json: false,
} as const satisfies Record<SettingName, unknown>;
