import { spawn } from 'node:child_process';
import { createGraphBuilder, DataType, encodeModel, float32Tensor } from '@moral-plantain/hooks';
import type { ResolvedDevice } from '../session/create-session.js';
import { conciseRuntimeError } from '../session/runtime-error-text.js';
import { PROVIDER_PROBE_TIMEOUT_SECONDS } from './environment-defaults.js';
import { onnxruntimeEntry } from './onnxruntime-install.js';

/** Whether an execution provider ran a tiny model, and if not, why. */
export interface ProviderProbe {
  readonly device: ResolvedDevice;
  /** `ok`: it ran and gave the right values; `failed`: it did not load or run; `timed-out`: no answer within the timeout. */
  readonly status: 'ok' | 'failed' | 'timed-out';
  /** Wall seconds of the attempt (process start, ONNX Runtime load, session, one run). */
  readonly seconds: number;
  /** ONNX Runtime's reason, shortened (null when ok). */
  readonly reason: string | null;
  /** What the provider printed on its own while loading (e.g. Dawn's "Couldn't load Vulkan: ..."). */
  readonly log: readonly string[];
}

/** Options of `probeExecutionProviders`. */
export interface ProviderProbeOptions {
  /** Devices to try (default cpu, cuda, webgpu). */
  readonly devices?: readonly ResolvedDevice[];
  /** Seconds each attempt may take before it is killed (default `PROVIDER_PROBE_TIMEOUT_SECONDS`). */
  readonly timeoutSeconds?: number;
  /** CUDA device index (default 0). */
  readonly deviceId?: number;
  /** Environment of the attempts (default `process.env`): LD_LIBRARY_PATH and the like apply as for a run. */
  readonly env?: NodeJS.ProcessEnv;
}

/** The tiny model: y = x W, x [1, 4], W [4, 3] with W[i][j] = (i + 1) (j - 1) / 4. */
const INPUT = [1, 2, 3, 4];
const WEIGHT = Array.from({ length: 12 }, (_, k) => ((Math.floor(k / 3) + 1) * ((k % 3) - 1)) / 4);

/**
 * Tries each execution provider for real: a separate Node.js process loads onnxruntime-node,
 * creates a session of a tiny MatMul model on that provider alone, runs it once, and the values
 * are checked. Separate processes keep a provider that hangs or crashes from taking this one with
 * it, and give each attempt a timeout; they run side by side.
 */
export async function probeExecutionProviders(options: ProviderProbeOptions = {}): Promise<readonly ProviderProbe[]> {
  const devices = options.devices ?? (['cpu', 'cuda', 'webgpu'] as const);
  const model = Buffer.from(tinyModel()).toString('base64');
  const entry = onnxruntimeEntry();
  return Promise.all(devices.map((device) => probeOne(device, entry, model, options)));
}

function tinyModel(): Uint8Array {
  const b = createGraphBuilder({ name: 'provider_probe', opset: 17, producerName: '@moral-plantain/model-runtime' });
  const x = b.input('x', DataType.FLOAT, [1, 4]);
  const y = b.op('MatMul', [x, b.constant(float32Tensor(Float32Array.from(WEIGHT), [4, 3]))]);
  b.output(y, DataType.FLOAT, [1, 3]);
  return encodeModel(b.build());
}

/** The attempt's script: it prints one JSON line, `{ ok, y }` or `{ ok: false, reason }`. */
const CHILD = `
const ort = require(process.argv[1]);
const [device, deviceId, model] = [process.argv[2], Number(process.argv[3]), Buffer.from(process.argv[4], 'base64')];
ort.env.logLevel = 'fatal';
(async () => {
  const provider = device === 'cuda' ? { name: 'cuda', deviceId } : device;
  const session = await ort.InferenceSession.create(model, { executionProviders: [provider], logSeverityLevel: 4 });
  const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from(${JSON.stringify(INPUT)}), [1, 4]) });
  process.stdout.write(JSON.stringify({ ok: true, y: Array.from(out[session.outputNames[0]].data) }) + '\\n');
})().catch((error) => process.stdout.write(JSON.stringify({ ok: false, reason: String((error && error.message) || error) }) + '\\n'));
`;

function probeOne(device: ResolvedDevice, entry: string, model: string, options: ProviderProbeOptions): Promise<ProviderProbe> {
  const timeout = (options.timeoutSeconds ?? PROVIDER_PROBE_TIMEOUT_SECONDS) * 1000;
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', CHILD, entry, device, String(options.deviceId ?? 0), model], { env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeout);
    const finish = (status: ProviderProbe['status'], reason: string | null) => {
      clearTimeout(timer);
      resolve({ device, status, seconds: Math.round(performance.now() - started) / 1000, reason, log: logLines(stderr) });
    };
    child.on('error', (error) => finish('failed', `could not start a Node.js process: ${error.message}`));
    child.on('close', (code, signal) => {
      if (timedOut) return finish('timed-out', `no answer within ${timeout / 1000} s`);
      const answer = parseAnswer(stdout);
      if (answer === null) return finish('failed', `the process ended (${signal ?? `exit code ${code}`}) without an answer${stderr.trim() ? `: ${lastLine(stderr)}` : ''}`);
      if (!answer.ok) return finish('failed', conciseRuntimeError(answer.reason));
      return finish(rightValues(answer.y) ? 'ok' : 'failed', rightValues(answer.y) ? null : `it ran but computed ${JSON.stringify(answer.y)} instead of ${JSON.stringify(expectedValues())}`);
    });
  });
}

function parseAnswer(stdout: string): { ok: true; y: number[] } | { ok: false; reason: string } | null {
  const line = stdout.trim().split('\n').at(-1);
  try {
    return line ? (JSON.parse(line) as { ok: true; y: number[] } | { ok: false; reason: string }) : null;
  } catch {
    return null;
  }
}

function expectedValues(): number[] {
  return [0, 1, 2].map((j) => INPUT.reduce((sum, x, i) => sum + x * WEIGHT[i * 3 + j]!, 0));
}

function rightValues(y: readonly number[]): boolean {
  const expected = expectedValues();
  return y.length === expected.length && y.every((v, j) => Math.abs(v - expected[j]!) <= 1e-3);
}

/** The provider's own messages, without stack-like continuation lines. */
function logLines(stderr: string): string[] {
  return stderr
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '' && !/^\s+at /.test(l))
    .slice(0, 10);
}

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1) ?? '';
}
