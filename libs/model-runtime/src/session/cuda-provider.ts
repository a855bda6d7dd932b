import { cudaProvider, type CudaProvider } from '@moral-plantain/onnxruntime-node/cuda';

/** The one explicit step that downloads the CUDA execution provider's libraries (never done at install time). */
export const CUDA_INSTALL_COMMAND = 'moral-plantain install-cuda';

/** What the CUDA provider libraries of ONNX Runtime 1.30 need on the machine. */
export const CUDA_REQUIREMENTS = 'CUDA 13.x and cuDNN 9';

/** Whether the CUDA execution provider's libraries are installed here, where they go, and the script that fetches them. */
export function cudaProviderStatus(): CudaProvider {
  return cudaProvider();
}

export type { CudaProvider, CudaProviderFile } from '@moral-plantain/onnxruntime-node/cuda';
