/** Environment variables that change which libraries and devices a run gets, with what each does. */
export const RELEVANT_VARIABLES: readonly { readonly name: string; readonly meaning: string }[] = [
  { name: 'LD_LIBRARY_PATH', meaning: 'folders the dynamic loader searches first (CUDA, cuDNN, Vulkan libraries)' },
  { name: 'CUDA_VISIBLE_DEVICES', meaning: 'which GPUs CUDA may use, and their order' },
  { name: 'CUDA_PATH', meaning: 'a CUDA toolkit (the loader does not read it: add its lib64 to LD_LIBRARY_PATH)' },
  { name: 'CUDA_HOME', meaning: 'a CUDA toolkit (the loader does not read it: add its lib64 to LD_LIBRARY_PATH)' },
  { name: 'CUDNN_PATH', meaning: 'a cuDNN archive (the loader does not read it: add its lib to LD_LIBRARY_PATH)' },
  { name: 'NVIDIA_VISIBLE_DEVICES', meaning: 'GPUs a container runtime passes into a container' },
  { name: 'NVIDIA_DRIVER_CAPABILITIES', meaning: 'driver libraries a container runtime mounts (compute for CUDA, graphics for Vulkan)' },
  { name: 'VK_DRIVER_FILES', meaning: 'the Vulkan drivers (ICD manifests) WebGPU may use' },
  { name: 'VK_ICD_FILENAMES', meaning: 'the Vulkan drivers (ICD manifests) WebGPU may use (older name)' },
  { name: 'ONNXRUNTIME_NODE_INSTALL', meaning: "the upstream onnxruntime-node install script's choice (skip, or cuda12 to download the CUDA provider); the binding moral-plantain installs has no install script, and `moral-plantain install-cuda` downloads the CUDA provider on request" },
  { name: 'npm_config_onnxruntime_node_install', meaning: "the same choice, from .npmrc or npm's --onnxruntime-node-install flag" },
  { name: 'HF_HOME', meaning: 'the Hugging Face folder (its hub cache holds downloaded checkpoints)' },
  { name: 'HF_HUB_CACHE', meaning: 'the Hugging Face hub cache (before HF_HOME/hub)' },
  { name: 'HUGGINGFACE_HUB_CACHE', meaning: 'the Hugging Face hub cache (older name of HF_HUB_CACHE)' },
  { name: 'MORAL_PLANTAIN_CACHE', meaning: 'our cache: model folders built from pipeline folders and repo ids (models/); default XDG_CACHE_HOME/moral-plantain' },
  { name: 'XDG_CACHE_HOME', meaning: 'the user cache folder (default ~/.cache): holds huggingface/hub and moral-plantain unless the variables above say otherwise' },
  { name: 'NODE_OPTIONS', meaning: 'options every Node.js process starts with (e.g. --max-old-space-size)' },
];

/** The relevant variables and their values in `env` (null when unset). */
export function relevantVariables(env: NodeJS.ProcessEnv = process.env): { readonly name: string; readonly value: string | null; readonly meaning: string }[] {
  return RELEVANT_VARIABLES.map((v) => ({ ...v, value: env[v.name] ?? null }));
}
