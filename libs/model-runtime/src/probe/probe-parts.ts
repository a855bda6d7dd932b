/** A range of a probe run's batches, first included, end excluded. */
export interface BatchRange {
  readonly first: number;
  readonly end: number;
}

/** One part of a probe run split into `count` parts: `index` counts from 0. */
export interface ProbePartIndex {
  readonly index: number;
  readonly count: number;
}

/**
 * The batches of one part: a run's batches (`PreparedProbe.batches`)
 * split into `count` contiguous ranges whose sizes differ by at most one, in order. The partition
 * depends only on the number of batches and parts, so every process that runs a part agrees on it,
 * and each part computes exactly the batches an undivided run would (the same prompts together,
 * so the same numbers bit for bit). A part may be empty when there are more parts than batches.
 */
export function partBatches(batches: number, part: ProbePartIndex): BatchRange {
  return { first: Math.floor((part.index * batches) / part.count), end: Math.floor(((part.index + 1) * batches) / part.count) };
}


/** The number of batches of a run of `prompts` unique prompts, `batchSize` at a time (without per-pair reference images, which start a batch at each change). */
export function batchCount(prompts: number, batchSize: number): number {
  return Math.ceil(prompts / batchSize);
}
