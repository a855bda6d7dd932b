import * as NEA from 'fp-ts/lib/NonEmptyArray.js';
import type { ModelBuildProblem } from '../model-folder/model-build-problem.js';
import type { HubSnapshot } from './hub-cache.js';

/**
 * The problems of a build from a Hub snapshot, led by `HubSnapshotIncomplete` when one of them is
 * a file the snapshot lacks (a component folder, a config, a weights file): the sign of a download
 * limited with `--include` or cut short, whose remedy (download the rest) is the one to follow.
 */
export function withSnapshotIncomplete(problems: NEA.NonEmptyArray<ModelBuildProblem>, snapshot: Pick<HubSnapshot, 'repoId' | 'revision' | 'commit'>): NEA.NonEmptyArray<ModelBuildProblem> {
  if (!problems.some(isMissingFile)) return problems;
  return NEA.concat([{ _tag: 'HubSnapshotIncomplete', repoId: snapshot.repoId, revision: snapshot.revision, commit: snapshot.commit }] as NEA.NonEmptyArray<ModelBuildProblem>, problems);
}

/** Whether a build problem is a file the source lacks. */
function isMissingFile(problem: ModelBuildProblem): boolean {
  if (problem._tag === 'PipelineFile') return true;
  if (problem._tag === 'Checkpoint') return problem.error._tag === 'Unreadable';
  return (problem._tag === 'TransformerConfig' || problem._tag === 'TextEncoderConfig' || problem._tag === 'VaeConfig') && problem.problem._tag === 'ConfigUnreadable';
}
