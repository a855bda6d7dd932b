import { checkCudaReadiness, type CudaReadiness } from './cuda-readiness.js';
import { relevantVariables } from './environment-variables.js';
import { onnxruntimeInstall } from './onnxruntime-install.js';
import { readLoaderCache } from './shared-library-search.js';
import { probeExecutionProviders, type ProviderProbe, type ProviderProbeOptions } from './provider-probe.js';
import { systemInfo, type SystemInfo } from './system-info.js';
import { checkWebGpuReadiness, type WebGpuReadiness } from './webgpu-readiness.js';

/** Identifier in the `format` field of the environment report. */
export const ENVIRONMENT_FORMAT = 'moral-plantain/env@1';

/** Everything that decides where and how a probe can run on this machine, as `huggingface-cli env` or `accelerate env` report it. */
export interface EnvironmentReport {
  readonly format: typeof ENVIRONMENT_FORMAT;
  readonly system: SystemInfo;
  readonly onnxruntime: { readonly package: 'onnxruntime-node'; readonly version: string; readonly binDir: string };
  /** Each execution provider's trial, or null when they were not tried. */
  readonly providers: readonly ProviderProbe[] | null;
  readonly cuda: CudaReadiness;
  readonly webgpu: WebGpuReadiness;
  readonly variables: readonly { readonly name: string; readonly value: string | null; readonly meaning: string }[];
}

/** Options of `describeEnvironment`. */
export interface EnvironmentOptions extends Omit<ProviderProbeOptions, 'env'> {
  /** Try each execution provider for real (default true). */
  readonly probe?: boolean;
  /** Environment variables to read and to run the trials with (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
}

/** Describes this machine for running probes: system, onnxruntime-node, which providers load, the CUDA and WebGPU prerequisites, the variables that matter. */
export async function describeEnvironment(options: EnvironmentOptions = {}): Promise<EnvironmentReport> {
  const env = options.env ?? process.env;
  const install = onnxruntimeInstall();
  const trials = options.probe === false ? null : probeExecutionProviders({ ...options, env });
  const cache = readLoaderCache();
  const cuda = checkCudaReadiness({ env, cache, binDir: install.binDir });
  const webgpu = checkWebGpuReadiness({ env, cache });
  return {
    format: ENVIRONMENT_FORMAT,
    system: systemInfo(),
    onnxruntime: { package: 'onnxruntime-node', version: install.version, binDir: install.binDir },
    providers: trials === null ? null : await trials,
    cuda,
    webgpu,
    variables: relevantVariables(env),
  };
}
