import * as E from 'fp-ts/lib/Either.js';

/**
 * The keys of a diffusers `FlowMatchEulerDiscreteScheduler` `scheduler_config.json` that change the
 * sigmas a FLUX.2 pipeline samples with (`schedulers/scheduling_flow_match_euler_discrete.py`,
 * `__init__`, lines 92-107, with its defaults). `base_shift`, `max_shift`, `base_image_seq_len` and
 * `max_image_seq_len` are not here: the klein pipeline computes `mu` itself (`compute_empirical_mu`).
 */
export interface FlowMatchSchedulerConfig {
  /** Training timesteps; timestep = sigma x this (default 1000). */
  readonly num_train_timesteps: number;
  /** The static shift, used when dynamic shifting is off (default 1.0). */
  readonly shift: number;
  /** Shift by `mu` per call (the time shift) instead of by `shift` (default false). */
  readonly use_dynamic_shifting: boolean;
  /** The time shift's form: exp(mu) / (exp(mu) + (1/t - 1)) or mu / (mu + (1/t - 1)) (default exponential). */
  readonly time_shift_type: 'exponential' | 'linear';
  /** Stretch the shifted sigmas so that the last one is this (default null: no stretch). */
  readonly shift_terminal: number | null;
}

/**
 * The scheduler of the FLUX.2 pipelines as diffusers' conversion script makes them
 * (`scripts/convert_flux2_to_diffusers.py`, line 518: FLUX.1-dev's scheduler, whose config sets
 * `use_dynamic_shifting: true` and `shift: 3.0` and leaves `time_shift_type` at its default,
 * exponential). A model folder built from a pipeline folder records that folder's own file instead.
 */
export const FLUX2_SCHEDULER_CONFIG: FlowMatchSchedulerConfig = {
  num_train_timesteps: 1000,
  shift: 3,
  use_dynamic_shifting: true,
  time_shift_type: 'exponential',
  shift_terminal: null,
};

/** Scheduler keys whose non-default values change sampling in ways this toolkit does not implement, with the value it implements. */
const UNSUPPORTED_KEYS: Readonly<Record<string, unknown>> = {
  invert_sigmas: false,
  use_karras_sigmas: false,
  use_exponential_sigmas: false,
  use_beta_sigmas: false,
  stochastic_sampling: false,
};

/**
 * Reads a `scheduler_config.json` object: the keys above with diffusers' defaults where absent, or
 * every problem at once (a wrong type, or a feature such as Karras sigmas or stochastic sampling
 * that this toolkit does not implement).
 */
export function parseSchedulerConfig(json: unknown): E.Either<readonly string[], FlowMatchSchedulerConfig> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return E.left(['is not a JSON object']);
  const o = json as Record<string, unknown>;
  const problems: string[] = [];
  const className = o._class_name;
  if (className !== undefined && className !== 'FlowMatchEulerDiscreteScheduler') problems.push(`_class_name is ${JSON.stringify(className)}; only FlowMatchEulerDiscreteScheduler is implemented`);
  const positive = (key: string, fallback: number): number => {
    const value = o[key] ?? fallback;
    if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value;
    problems.push(`${key} must be a positive number, got ${JSON.stringify(value)}`);
    return fallback;
  };
  const config: FlowMatchSchedulerConfig = {
    num_train_timesteps: positive('num_train_timesteps', 1000),
    shift: positive('shift', 1),
    use_dynamic_shifting: (o.use_dynamic_shifting ?? false) === true,
    time_shift_type: o.time_shift_type === 'linear' ? 'linear' : 'exponential',
    shift_terminal: o.shift_terminal === null || o.shift_terminal === undefined ? null : positive('shift_terminal', 1),
  };
  if (typeof (o.use_dynamic_shifting ?? false) !== 'boolean') problems.push(`use_dynamic_shifting must be true or false, got ${JSON.stringify(o.use_dynamic_shifting)}`);
  if (o.time_shift_type !== undefined && o.time_shift_type !== 'exponential' && o.time_shift_type !== 'linear') problems.push(`time_shift_type must be "exponential" or "linear", got ${JSON.stringify(o.time_shift_type)}`);
  if (config.shift_terminal !== null && config.shift_terminal >= 1) problems.push(`shift_terminal must be below 1, got ${config.shift_terminal}`);
  if (!Number.isInteger(config.num_train_timesteps)) problems.push(`num_train_timesteps must be a whole number, got ${config.num_train_timesteps}`);
  for (const [key, implemented] of Object.entries(UNSUPPORTED_KEYS)) {
    if (o[key] !== undefined && o[key] !== null && o[key] !== implemented) problems.push(`${key} = ${JSON.stringify(o[key])} is not implemented (only ${JSON.stringify(implemented)})`);
  }
  return problems.length > 0 ? E.left(problems) : E.right(config);
}
