import path from 'node:path';
import { defaultServerConditions } from 'vite';
import { defineConfig, type ViteUserConfig } from 'vitest/config';

const workspaceRoot = import.meta.dirname;

/** The test configuration every project shares: workspace sources resolved directly, JSON counts for CI. */
export function projectTestConfig(name: string, projectRoot: string): ViteUserConfig {
  const conditions = ['@moral-plantain/source', ...defaultServerConditions];
  return defineConfig({
    root: projectRoot,
    cacheDir: path.join(workspaceRoot, 'node_modules/.vite', name),
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: ['@moral-plantain/source'] } },
    test: {
      name,
      watch: false,
      environment: 'node',
      include: ['src/**/*.test.ts', 'tests/**/*.test.ts'],
      testTimeout: 60_000,
      hookTimeout: 120_000,
      reporters: ['default', ['json', { outputFile: path.join(workspaceRoot, 'reports/vitest', `${name}.json`) }]],
    },
  });
}
