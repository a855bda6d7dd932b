import workspaceConfig from '../../eslint.config.mjs';

// Only this package's own files: dist/, bin/ and script/ are onnxruntime-node's, copied unchanged.
// Its dependencies are onnxruntime-node's, which scripts/vendor.mjs checks instead of the dependency lint.
export default [
  ...workspaceConfig,
  { ignores: ['bin/**', 'script/**'] },
  {
    files: ['cuda.js', 'install-cuda.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly', console: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
];
