import nx from '@nx/eslint-plugin';
import jsoncParser from 'jsonc-eslint-parser';

/** Who may import whom (architecture.md): enforced through the project tags in each package.json. */
const depConstraints = [
  { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'type:tools', onlyDependOnLibsWithTags: ['type:lib', 'type:tools'] },
  { sourceTag: 'scope:stats', onlyDependOnLibsWithTags: ['scope:stats'] },
  { sourceTag: 'scope:hooks', onlyDependOnLibsWithTags: ['scope:hooks'] },
  { sourceTag: 'scope:stimuli', onlyDependOnLibsWithTags: ['scope:stimuli'] },
  { sourceTag: 'scope:model-runtime', onlyDependOnLibsWithTags: ['scope:model-runtime', 'scope:hooks'] },
  { sourceTag: 'scope:report', onlyDependOnLibsWithTags: ['scope:report', 'scope:stats'] },
];

const workspaceConfig = [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    ignores: ['**/dist', '**/out-tsc', '**/node_modules', '**/reports', '**/*.timestamp*'],
  },
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs'],
    rules: {
      '@nx/enforce-module-boundaries': ['error', { enforceBuildableLibDependency: true, allow: [], depConstraints }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^fp-ts/(?!lib/[A-Za-z]+\\.js$)',
              message: "Import fp-ts modules as 'fp-ts/lib/<Module>.js': fp-ts has no exports map, so 'fp-ts/Either' passes tsc and vitest but fails under Node ESM.",
            },
          ],
        },
      ],
    },
  },
  {
    // Project config files share the workspace's own config helpers by relative path.
    files: ['**/eslint.config.mjs', '**/vite.config.ts'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
];

export default workspaceConfig;

/** A project's lint config: the workspace rules plus a check that package.json lists what the code imports. */
export function projectLintConfig() {
  return [
    ...workspaceConfig,
    {
      files: ['**/package.json'],
      languageOptions: { parser: jsoncParser },
      rules: {
        '@nx/dependency-checks': [
          'error',
          {
            ignoredFiles: [
              '{projectRoot}/eslint.config.{js,cjs,mjs}',
              '{projectRoot}/vite.config.{js,ts,mjs,mts}',
              '{projectRoot}/tests/**/*',
              '{projectRoot}/**/*.test.ts',
            ],
            checkMissingDependencies: true,
            checkObsoleteDependencies: true,
            checkVersionMismatches: true,
          },
        ],
      },
    },
  ];
}
