import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import * as ort from '@moral-plantain/onnxruntime-node';
import { conciseRuntimeError } from './runtime-error-text.js';
import type { SessionError } from './session-error.js';

/** Where a session runs: `auto` takes the first GPU provider that loads (CUDA, then WebGPU), else the CPU. */
export type Device = 'cpu' | 'cuda' | 'webgpu' | 'auto';

/** A device a session actually runs on. */
export type ResolvedDevice = 'cpu' | 'cuda' | 'webgpu';

/** A GPU provider that was tried before the device a session got, and why it did not load. */
export interface DeviceFallback {
  readonly device: 'cuda' | 'webgpu';
  /** The first line of ONNX Runtime's error. */
  readonly reason: string;
}

/** ONNX Runtime graph optimization levels. */
export type GraphOptimization = 'disabled' | 'basic' | 'extended' | 'all';

/** Options of `createSession`. */
export interface SessionOptions {
  /** Execution device (default `cpu`). */
  readonly device?: Device;
  /** When the requested GPU provider does not load, run on the CPU instead of failing (default false; `auto` always falls back). */
  readonly cpuFallback?: boolean;
  /** GPU index for CUDA (default 0). */
  readonly deviceId?: number;
  /** Threads inside one operator (default: ONNX Runtime's choice, one per physical core). */
  readonly intraOpThreads?: number;
  /** Threads across independent operators (default: ONNX Runtime's choice). */
  readonly interOpThreads?: number;
  /** Graph optimization level (default `all`). */
  readonly graphOptimization?: GraphOptimization;
  /** ONNX Runtime log severity, 0 verbose .. 4 fatal (default 3, errors only). */
  readonly logSeverity?: 0 | 1 | 2 | 3 | 4;
}

/** A graph input or output as the session sees it. */
export interface ValueSpec {
  readonly name: string;
  /** ONNX Runtime tensor type (`float32`, `float16`, `int64`, ...), or `non-tensor`. */
  readonly type: string;
  /** Dimensions: numbers, or symbolic names for dynamic ones. */
  readonly shape: readonly (number | string)[];
}

/** An open ONNX Runtime session and where it runs. */
export interface ModelSession {
  readonly session: ort.InferenceSession;
  /** The model path, or `<buffer>`. */
  readonly source: string;
  readonly device: ResolvedDevice;
  readonly requested: Device;
  /** Why the session is not on the requested device or on a GPU (empty when it is), in words. */
  readonly notes: readonly string[];
  /** The same as values: each GPU provider tried before `device`, and why it did not load. */
  readonly fallbacks: readonly DeviceFallback[];
  readonly inputs: readonly ValueSpec[];
  readonly outputs: readonly ValueSpec[];
}

/**
 * Opens an ONNX Runtime session from a file path (external data resolves beside it) or from the
 * bytes of a self-contained model, on the requested device.
 */
export function createSession(model: string | Uint8Array, options: SessionOptions = {}): TE.TaskEither<SessionError, ModelSession> {
  return async () => {
    const checked = checkOptions(options);
    if (E.isLeft(checked)) return checked;
    const requested = options.device ?? 'cpu';
    const source = typeof model === 'string' ? model : '<buffer>';
    const candidates: ResolvedDevice[] = requested === 'auto' ? ['cuda', 'webgpu', 'cpu'] : requested === 'cpu' ? ['cpu'] : options.cpuFallback ? [requested, 'cpu'] : [requested];
    const tried: { device: 'cuda' | 'webgpu'; reason: string }[] = [];
    for (const device of candidates) {
      try {
        const session = await open(model, device, options, requested === 'auto' && device !== 'cpu');
        const fallbacks = tried.map((t) => ({ device: t.device, reason: conciseRuntimeError(t.reason) }));
        const notes = fallbacks.map((t) => `${t.device} unavailable (${t.reason}), using ${device}`);
        return E.right({ session, source, device, requested, notes, fallbacks, inputs: specsOf(session.inputMetadata), outputs: specsOf(session.outputMetadata) });
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        if (device === 'cpu' || !isProviderFailure(device, reason)) return E.left({ _tag: 'ModelLoadFailed', source, reason });
        tried.push({ device, reason });
      }
    }
    const [first] = tried;
    return E.left(requested === 'auto' || first === undefined ? { _tag: 'NoGpuProvider', tried } : { _tag: 'ProviderUnavailable', device: first.device, reason: first.reason });
  };
}

/** Runs a session, turning a thrown ONNX Runtime error into a value. */
export function runSession(session: ModelSession, feeds: Record<string, ort.Tensor>, outputs?: readonly string[]): TE.TaskEither<SessionError, Record<string, ort.Tensor>> {
  return TE.tryCatch(
    () => (outputs ? session.session.run(feeds, [...outputs]) : session.session.run(feeds)),
    (error) => ({ _tag: 'RunFailed', model: session.source, reason: error instanceof Error ? error.message : String(error) }),
  );
}

async function open(model: string | Uint8Array, device: ResolvedDevice, options: SessionOptions, probing: boolean): Promise<ort.InferenceSession> {
  const provider: ort.InferenceSession.ExecutionProviderConfig = device === 'cuda' ? { name: 'cuda', deviceId: options.deviceId ?? 0 } : device;
  const sessionOptions: ort.InferenceSession.SessionOptions = {
    executionProviders: [provider],
    graphOptimizationLevel: options.graphOptimization ?? 'all',
    // While probing for a GPU in `auto`, a missing provider is expected: keep ONNX Runtime quiet about it.
    logSeverityLevel: probing ? 4 : (options.logSeverity ?? 3),
    ...(options.intraOpThreads !== undefined ? { intraOpNumThreads: options.intraOpThreads } : {}),
    ...(options.interOpThreads !== undefined ? { interOpNumThreads: options.interOpThreads } : {}),
  };
  return typeof model === 'string' ? ort.InferenceSession.create(model, sessionOptions) : ort.InferenceSession.create(model, sessionOptions);
}

/** Failures that come from the provider (libraries, adapters), not from the model. */
function isProviderFailure(device: 'cuda' | 'webgpu', reason: string): boolean {
  const patterns =
    device === 'cuda'
      ? [/cuda/i, /shared library/i, /providers_shared/i, /backend not found/i, /no available backend/i]
      : [/webgpu/i, /adapter/i, /vulkan/i, /dawn/i, /backend not found/i, /no available backend/i];
  return patterns.some((p) => p.test(reason));
}

function checkOptions(options: SessionOptions): E.Either<SessionError, true> {
  const devices: readonly string[] = ['cpu', 'cuda', 'webgpu', 'auto'];
  if (options.device !== undefined && !devices.includes(options.device)) {
    return E.left({ _tag: 'InvalidSessionOption', option: 'device', reason: `is "${String(options.device)}", expected one of ${devices.join(', ')}` });
  }
  for (const key of ['intraOpThreads', 'interOpThreads', 'deviceId'] as const) {
    const value = options[key];
    if (value !== undefined && !(Number.isInteger(value) && value >= 0)) return E.left({ _tag: 'InvalidSessionOption', option: key, reason: `is ${value}, expected a non-negative integer` });
  }
  const levels: readonly string[] = ['disabled', 'basic', 'extended', 'all'];
  if (options.graphOptimization !== undefined && !levels.includes(options.graphOptimization)) {
    return E.left({ _tag: 'InvalidSessionOption', option: 'graphOptimization', reason: `is "${String(options.graphOptimization)}", expected one of ${levels.join(', ')}` });
  }
  return E.right(true);
}

function specsOf(metadata: readonly ort.InferenceSession.ValueMetadata[]): ValueSpec[] {
  return metadata.map((m) => (m.isTensor ? { name: m.name, type: m.type, shape: [...m.shape] } : { name: m.name, type: 'non-tensor', shape: [] }));
}
