import type { RunProvenance } from './run-provenance.js';

/** The device of a run in words, from the recorded values: `cpu (requested auto; cuda: no CUDA provider)`; null when none was recorded. */
export function deviceText(provenance: RunProvenance): string | null {
  const { device, requestedDevice, deviceFallbacks = [] } = provenance;
  if (device === undefined && requestedDevice === undefined) return null;
  const tried = deviceFallbacks.map((f) => `${f.device}: ${f.reason}`);
  if (device === null || device === undefined) return `none: every prompt came from the cache${requestedDevice ? ` (requested ${requestedDevice})` : ''}`;
  const details = [...(requestedDevice && requestedDevice !== device ? [`requested ${requestedDevice}`] : []), ...tried];
  return details.length > 0 ? `${device} (${details.join('; ')})` : device;
}
