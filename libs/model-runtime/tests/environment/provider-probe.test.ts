import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CUDA_PROVIDER_FILES, onnxruntimeInstall, probeExecutionProviders } from '../../src/index.js';

const cudaInstalled = existsSync(path.join(onnxruntimeInstall().binDir, CUDA_PROVIDER_FILES.provider));

describe('probeExecutionProviders', () => {
  it('runs the tiny model on the CPU and reports CUDA failing without its provider library', async () => {
    const [cpu, cuda] = await probeExecutionProviders({ devices: ['cpu', 'cuda'] });
    expect(cpu).toMatchObject({ device: 'cpu', status: 'ok', reason: null });
    expect(cpu?.seconds).toBeGreaterThan(0);
    expect(cuda?.device).toBe('cuda');
    if (!cudaInstalled) expect(cuda).toMatchObject({ status: 'failed', reason: expect.stringMatching(/Failed to load shared library/) });
  });

  it('gives up on an attempt that takes longer than the timeout and kills it', async () => {
    const [cpu] = await probeExecutionProviders({ devices: ['cpu'], timeoutSeconds: 0.05 });
    expect(cpu).toMatchObject({ device: 'cpu', status: 'timed-out', reason: 'no answer within 0.05 s' });
    expect(cpu?.seconds).toBeLessThan(5);
  });
});
