/** One library of the CUDA execution provider and whether it is there. */
export interface CudaProviderFile {
  readonly file: string;
  readonly present: boolean;
}

/** The CUDA execution provider of this package on one platform. */
export interface CudaProvider {
  /** `platform/arch`, as Node.js names them. */
  readonly platform: string;
  /** Whether onnxruntime-node has a CUDA provider for this platform (Linux x64 only). */
  readonly supported: boolean;
  /** Whether every library it needs is there. */
  readonly installed: boolean;
  /** The folder the libraries go in (beside onnxruntime's own library). */
  readonly directory: string;
  readonly files: readonly CudaProviderFile[];
  /** The NuGet package they come from, or null where there is none. */
  readonly source: { readonly nuget: string; readonly version: string } | null;
  /** The script that downloads them (`node <installScript>`). */
  readonly installScript: string;
  /** The flag it passes to onnxruntime-node's installer. */
  readonly installFlag: string;
}

/** Where the CUDA provider libraries of this package go on `platform`/`arch` (default: this machine's), and which of them are there. */
export declare function cudaProvider(platform?: string, arch?: string): CudaProvider;

/** The flag that makes onnxruntime-node's installer fetch the CUDA libraries. */
export declare const INSTALL_FLAG: string;
