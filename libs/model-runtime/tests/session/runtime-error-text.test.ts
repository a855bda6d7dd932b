import { describe, expect, it } from 'vitest';
import { conciseRuntimeError } from '../../src/session/runtime-error-text.js';

describe('conciseRuntimeError', () => {
  it("keeps what ONNX Runtime says went wrong, without its source location and assertion", () => {
    // As onnxruntime-node 1.30 words a WebGPU session on a machine without a GPU adapter.
    const webgpu =
      '/onnxruntime_src/onnxruntime/core/providers/webgpu/webgpu_context.cc:136 onnxruntime::webgpu::WebGpuContext::Initialize(const onnxruntime::webgpu::WebGpuContextConfig&)::<lambda()> adapter_result.status == wgpu::RequestAdapterStatus::Success was false. Failed to get a WebGPU adapter: No supported adapters\n';
    expect(conciseRuntimeError(webgpu)).toBe('Failed to get a WebGPU adapter: No supported adapters');
    expect(conciseRuntimeError('OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library')).toBe('OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library');
    expect(conciseRuntimeError('[ONNXRuntimeError] : 1 : FAIL : Failed to load library libonnxruntime_providers_cuda.so with error: libcublasLt.so.13: cannot open shared object file: No such file or directory.')).toBe(
      'Failed to load library libonnxruntime_providers_cuda.so with error: libcublasLt.so.13: cannot open shared object file: No such file or directory',
    );
  });
});
