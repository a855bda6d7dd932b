import type { ProbeError } from './probe-error.js';

/** A model's inputs or outputs do not fit the probe. */
export function badIo(model: string, reason: string): ProbeFailure {
  return fail({ _tag: 'BadModelIo', model, reason });
}

/** A probe error thrown inside the run and turned back into a value at its edge. */
export interface ProbeFailure {
  readonly probeError: ProbeError;
}

/** Wraps a probe error for throwing. */
export function fail(error: ProbeError): ProbeFailure {
  return { probeError: error };
}

/** Whether a thrown value is a wrapped probe error. */
export function isProbeError(value: unknown): value is ProbeFailure {
  return typeof value === 'object' && value !== null && 'probeError' in value;
}
