/** Seconds one execution provider's trial (`probeExecutionProviders`) may take before it is given up; a first CUDA context can take several. */
export const PROVIDER_PROBE_TIMEOUT_SECONDS = 30;
