/**
 * ONNX Runtime's error message in one line, without its source location and assertion text:
 * `/onnxruntime_src/.../webgpu_context.cc:136 ... adapter_result.status == ... was false. Failed to
 * get a WebGPU adapter: No supported adapters` becomes `Failed to get a WebGPU adapter: No supported adapters`.
 */
export function conciseRuntimeError(message: string): string {
  const oneLine = message.replace(/\s+/g, ' ').trim();
  const afterAssertion = / was false\. (.+)$/.exec(oneLine)?.[1];
  return (afterAssertion ?? oneLine).replace(/\[ONNXRuntimeError\] : \d+ : \w+ : /, '').replace(/\.$/, '');
}
