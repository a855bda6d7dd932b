// The defaults of a causal test (`moral-plantain patch`), in a module of their own that loads no
// model library, so that `--help` can show them quickly (package subpath @moral-plantain/study/patch-defaults).

/** Defaults of `runPatch`'s settings. */
export const PATCH_DEFAULTS = {
  /** Unit counts to patch, the top k by |t| for each (those larger than the run's units are left out when the list is this default). */
  k: [10, 30, 100, 300, 1000],
  /** The family-wise error level when units are selected by FWER. */
  fwer: 0.05,
  /** Random unit sets per patched set. */
  sets: 200,
} as const;
