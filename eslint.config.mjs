import nx from '@nx/eslint-plugin';
import jsoncParser from 'jsonc-eslint-parser';

/** Who may import whom (the root README's package table): enforced through the project tags in each package.json. */
const depConstraints = [
  { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'type:tools', onlyDependOnLibsWithTags: ['type:lib', 'type:tools', 'type:test-support'] },
  { sourceTag: 'type:test-support', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'scope:formats', onlyDependOnLibsWithTags: ['scope:formats'] },
  { sourceTag: 'scope:stats', onlyDependOnLibsWithTags: ['scope:stats', 'scope:formats'] },
  { sourceTag: 'scope:hooks', onlyDependOnLibsWithTags: ['scope:hooks', 'scope:formats'] },
  { sourceTag: 'scope:stimuli', onlyDependOnLibsWithTags: ['scope:stimuli', 'scope:formats'] },
  { sourceTag: 'scope:model-builder', onlyDependOnLibsWithTags: ['scope:model-builder', 'scope:hooks', 'scope:formats'] },
  { sourceTag: 'scope:onnxruntime-node', onlyDependOnLibsWithTags: ['scope:onnxruntime-node'] },
  { sourceTag: 'scope:model-runtime', onlyDependOnLibsWithTags: ['scope:model-runtime', 'scope:hooks', 'scope:formats', 'scope:onnxruntime-node'] },
  { sourceTag: 'scope:report', onlyDependOnLibsWithTags: ['scope:report', 'scope:stats', 'scope:formats'] },
  {
    sourceTag: 'scope:study',
    onlyDependOnLibsWithTags: ['scope:study', 'scope:formats', 'scope:stats', 'scope:hooks', 'scope:stimuli', 'scope:model-builder', 'scope:model-runtime', 'scope:report'],
  },
];

/** Tests may also use the independent references of the test-support project (never the published code), and run graphs with ONNX Runtime. */
const testDepConstraints = depConstraints.map((constraint) =>
  constraint.sourceTag.startsWith('type:') && constraint.sourceTag !== 'type:test-support'
    ? { ...constraint, onlyDependOnLibsWithTags: [...constraint.onlyDependOnLibsWithTags, 'type:test-support'] }
    : constraint.sourceTag.startsWith('scope:')
      ? { ...constraint, onlyDependOnLibsWithTags: [...constraint.onlyDependOnLibsWithTags, 'scope:references', 'scope:onnxruntime-node'] }
      : constraint,
);

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
      // The CLI imports libraries both lazily (help defaults) and statically (each command's action module, itself loaded lazily).
      '@nx/enforce-module-boundaries': ['error', { enforceBuildableLibDependency: true, allow: [], depConstraints, checkDynamicDependenciesExceptions: ['@moral-plantain/*'] }],
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
    files: ['**/tests/**/*.ts', '**/*.test.ts'],
    rules: {
      '@nx/enforce-module-boundaries': ['error', { enforceBuildableLibDependency: true, allow: [], depConstraints: testDepConstraints, checkDynamicDependenciesExceptions: ['@moral-plantain/*'] }],
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
              // Build scripts run at build time with the devDependencies.
              '{projectRoot}/scripts/**/*',
              '{projectRoot}/tests/**/*',
              '{projectRoot}/**/*.test.ts',
            ],
            // Published type declarations refer to ndarray's types, so packages list them for their users.
            ignoredDependencies: ['@types/ndarray'],
            checkMissingDependencies: true,
            checkObsoleteDependencies: true,
            checkVersionMismatches: true,
          },
        ],
      },
    },
  ];
}
