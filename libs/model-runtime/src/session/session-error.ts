import type { ErrorDescription } from '@moral-plantain/formats';
import { CUDA_INSTALL_COMMAND, CUDA_REQUIREMENTS } from './cuda-provider.js';

/** Why a session could not be created or run. */
export type SessionError =
  | { readonly _tag: 'ProviderUnavailable'; readonly device: 'cuda' | 'webgpu'; readonly reason: string }
  | { readonly _tag: 'NoGpuProvider'; readonly tried: readonly { readonly device: 'cuda' | 'webgpu'; readonly reason: string }[] }
  | { readonly _tag: 'ModelLoadFailed'; readonly source: string; readonly reason: string }
  | { readonly _tag: 'InvalidSessionOption'; readonly option: string; readonly reason: string }
  | { readonly _tag: 'RunFailed'; readonly model: string; readonly reason: string };

/** One sentence saying what went wrong with a session, and what to do about it. */
export function describeSessionError(error: SessionError): ErrorDescription {
  switch (error._tag) {
    case 'ProviderUnavailable':
      return error.device === 'cuda'
        ? {
            message: `The CUDA execution provider could not be loaded (${firstLine(error.reason)}).`,
            hint: `Download its libraries with \`${CUDA_INSTALL_COMMAND}\` (they need ${CUDA_REQUIREMENTS} on the library path), or use --device cpu, or --device auto to fall back to the CPU.`,
          }
        : {
            message: `The WebGPU execution provider found no usable GPU adapter (${firstLine(error.reason)}).`,
            hint: 'WebGPU in onnxruntime-node reaches GPUs through Vulkan on Linux: install the GPU driver and libvulkan1, or use --device cpu, or --device auto to fall back to the CPU.',
          };
    case 'NoGpuProvider':
      return {
        message: `No GPU execution provider loaded: ${error.tried.map((t) => `${t.device}: ${firstLine(t.reason)}`).join('; ')}.`,
        hint: `For CUDA, run \`${CUDA_INSTALL_COMMAND}\` (the libraries need ${CUDA_REQUIREMENTS}); or use --device cpu.`,
      };
    case 'ModelLoadFailed':
      return { message: `ONNX Runtime could not load ${error.source}: ${firstLine(error.reason)}`, hint: 'Check that the file is a complete ONNX model and that its external data file lies beside it.' };
    case 'InvalidSessionOption':
      return { message: `Session option ${error.option} ${error.reason}.`, hint: 'Fix the option and run again.' };
    case 'RunFailed':
      return { message: `Running ${error.model} failed: ${firstLine(error.reason)}`, hint: 'Check the model inputs (run `moral-plantain model info` on the folder), or run again with --verbose.' };
  }
}

function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? text;
  return line.trim().replace(/\.$/, '');
}
