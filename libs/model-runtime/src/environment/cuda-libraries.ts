/**
 * What the CUDA execution provider of onnxruntime-node 1.30 is built against: the provider library
 * (libonnxruntime_providers_cuda.so, fetched from the Microsoft.ML.OnnxRuntime.Gpu.Linux NuGet
 * package by onnxruntime-node's install script) needs CUDA 13, cuDNN 9 and an NVIDIA driver
 * that supports CUDA 13 (580 or newer).
 */
export const CUDA_PROVIDER_BUILD = { onnxruntime: '1.30', cuda: 13, cudnn: 9, minimumDriver: 580 } as const;

/** One shared library the CUDA provider needs. */
export interface CudaLibrary {
  /** The file name the loader looks for (`libcublas.so.13`). */
  readonly soname: string;
  /** What it is: `cuBLAS`, `cuDNN 9`, `NVIDIA driver`. */
  readonly component: string;
  /** `load`: linked by the provider, which fails to load without it; `first-use`: opened when an operator first needs it. */
  readonly when: 'load' | 'first-use';
  /** Where it comes from: a CUDA toolkit package, a pip wheel, the driver. */
  readonly source: string;
}

const toolkit = (component: string, wheel: string) => `CUDA 13 toolkit (${component}), or pip ${wheel}`;
const CUDNN = 'cuDNN 9 for CUDA 13 (the cudnn9-cuda-13 package, the tar archive, or pip nvidia-cudnn-cu13)';

/**
 * The libraries of the CUDA provider, after onnxruntime's build (cmake/onnxruntime_providers_cuda.cmake):
 * it links cuBLAS, cuBLASLt, cuRAND, the CUDA runtime and the driver; it opens cuDNN (which opens its
 * own sub-libraries and NVRTC for its runtime-compiled engines) and cuFFT when an operator first needs
 * them. Where the provider library is installed, its own DT_NEEDED entries say which are linked.
 */
export const CUDA_PROVIDER_LIBRARIES: readonly CudaLibrary[] = [
  { soname: 'libcuda.so.1', component: 'NVIDIA driver (CUDA driver API)', when: 'load', source: `the NVIDIA driver, ${CUDA_PROVIDER_BUILD.minimumDriver} or newer` },
  { soname: 'libcudart.so.13', component: 'CUDA runtime', when: 'load', source: toolkit('cuda-cudart-13-x', 'nvidia-cuda-runtime') },
  { soname: 'libcublas.so.13', component: 'cuBLAS', when: 'load', source: toolkit('libcublas-13-x', 'nvidia-cublas') },
  { soname: 'libcublasLt.so.13', component: 'cuBLASLt', when: 'load', source: toolkit('libcublas-13-x', 'nvidia-cublas') },
  { soname: 'libcurand.so.10', component: 'cuRAND', when: 'load', source: toolkit('libcurand-13-x', 'nvidia-curand') },
  { soname: 'libcufft.so.12', component: 'cuFFT', when: 'first-use', source: toolkit('libcufft-13-x', 'nvidia-cufft') },
  { soname: 'libcudnn.so.9', component: 'cuDNN 9', when: 'first-use', source: CUDNN },
  { soname: 'libcudnn_graph.so.9', component: 'cuDNN 9 (graph)', when: 'first-use', source: CUDNN },
  { soname: 'libcudnn_ops.so.9', component: 'cuDNN 9 (ops)', when: 'first-use', source: CUDNN },
  { soname: 'libcudnn_cnn.so.9', component: 'cuDNN 9 (cnn)', when: 'first-use', source: CUDNN },
  { soname: 'libcudnn_adv.so.9', component: 'cuDNN 9 (adv)', when: 'first-use', source: CUDNN },
  { soname: 'libcudnn_heuristic.so.9', component: 'cuDNN 9 (heuristic)', when: 'first-use', source: CUDNN },
  { soname: 'libcudnn_engines_precompiled.so.9', component: 'cuDNN 9 (precompiled engines)', when: 'first-use', source: CUDNN },
  { soname: 'libcudnn_engines_runtime_compiled.so.9', component: 'cuDNN 9 (runtime-compiled engines)', when: 'first-use', source: CUDNN },
  { soname: 'libnvrtc.so.13', component: 'NVRTC (used by cuDNN)', when: 'first-use', source: toolkit('cuda-nvrtc-13-x', 'nvidia-cuda-nvrtc') },
];

/** Libraries of the C and C++ runtimes every system has: left out of the CUDA provider's list. */
export const SYSTEM_LIBRARY = /^(ld-linux.*|libc|libm|libdl|libpthread|librt|libstdc\+\+|libgcc_s|libonnxruntime_providers_shared)\.so(\.\d+)*$/;
