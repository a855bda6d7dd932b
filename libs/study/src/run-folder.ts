import path from 'node:path';
import { UNIT_CSV_FILE } from '@moral-plantain/report';

/** The files and folders of a run's output folder, as `moral-plantain run --out DIR` writes them. */
export interface RunFolder {
  /** The folder, absolute. */
  readonly dir: string;
  /** The model card (Hugging Face README). */
  readonly readme: string;
  readonly results: string;
  /** The run record (provenance, settings, timings). */
  readonly runRecord: string;
  readonly activations: string;
  readonly unitCsv: string;
  /** The lock file of a live run. */
  readonly lock: string;
  /**
   * What a rerun reuses: the embedded model, the per-prompt cache, the prompts' text embeddings, the tapped graph and generated
   * reference images; and what shards leave for a merge: their records (`shards`), and the private
   * working folders of the shard runs under way (`work`).
   */
  readonly cache: { readonly embeddedModel: string; readonly prompts: string; readonly embeddings: string; readonly tapped: string; readonly references: string; readonly shards: string; readonly work: string };
}

/** The layout of the output folder `dir`. */
export function runFolder(dir: string): RunFolder {
  const root = path.resolve(dir);
  const cache = path.join(root, '.cache');
  return {
    dir: root,
    readme: path.join(root, 'README.md'),
    results: path.join(root, 'results.json'),
    runRecord: path.join(root, 'run.json'),
    activations: path.join(root, 'activations.safetensors'),
    unitCsv: path.join(root, UNIT_CSV_FILE),
    lock: path.join(root, '.moral-plantain.lock'),
    cache: {
      embeddedModel: path.join(cache, 'model-tiny'),
      prompts: path.join(cache, 'prompts'),
      embeddings: path.join(cache, 'embeddings'),
      tapped: path.join(cache, 'tapped'),
      references: path.join(cache, 'references'),
      shards: path.join(cache, 'shards'),
      work: path.join(cache, 'shard-work'),
    },
  };
}
