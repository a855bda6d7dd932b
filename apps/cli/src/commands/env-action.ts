import { modelCaches } from '@moral-plantain/model-builder';
import { describeEnvironment } from '@moral-plantain/model-runtime';
import { packageVersions } from '@moral-plantain/study';
import { cliPackage } from '../cli-package.js';
import { wholeNumberFlag } from '../option-values.js';
import { print, printJson } from '../print.js';
import { environmentText } from './env-text.js';
import type { EnvFlags } from './env.js';

/** Runs `env`: the environment report of @moral-plantain/model-runtime with the installed package versions and the model caches, as text or JSON. */
export async function envAction(flags: EnvFlags): Promise<void> {
  const timeoutSeconds = flags.timeout === undefined ? undefined : wholeNumberFlag('--timeout', flags.timeout, 1, 3600);
  const { version } = cliPackage();
  const { node: _node, ...packages } = packageVersions({ '@moral-plantain/cli': version });
  const report = await describeEnvironment({ probe: flags.probe, ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}) });
  const caches = await modelCaches();
  const { format, ...rest } = report;
  if (flags.json) return printJson({ format, packages, ...rest, caches });
  print(environmentText(report, packages, caches));
}
