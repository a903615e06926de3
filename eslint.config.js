import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

// Architecture: imports only point down the layer list in ../shared/STYLE.md section 2.
const layerRules = [
  { files: ['src/errors/**'], forbid: ['core', 'protocol', 'config', 'backends', 'repository', 'scheduler', 'engine', 'server', 'client', 'cli', 'tools'] },
  { files: ['src/core/**'], forbid: ['protocol', 'config', 'backends', 'repository', 'scheduler', 'engine', 'server', 'client', 'cli', 'tools'] },
  { files: ['src/protocol/**'], forbid: ['config', 'backends', 'repository', 'scheduler', 'engine', 'server', 'client', 'cli'] },
  { files: ['src/config/**'], forbid: ['protocol', 'backends', 'repository', 'scheduler', 'engine', 'server', 'client', 'cli'] },
  { files: ['src/backends/**'], forbid: ['protocol', 'repository', 'scheduler', 'engine', 'server', 'client', 'cli'] },
  { files: ['src/repository/**'], forbid: ['protocol', 'scheduler', 'engine', 'server', 'client', 'cli', 'backends/onnx'] },
  { files: ['src/scheduler/**'], forbid: ['protocol', 'repository', 'engine', 'server', 'client', 'cli'] },
  { files: ['src/engine/**'], forbid: ['server', 'client', 'cli'] },
  { files: ['src/server/**'], forbid: ['cli', 'client', 'backends', 'repository', 'scheduler'] },
  { files: ['src/client/**'], forbid: ['engine', 'server', 'cli', 'backends', 'repository', 'scheduler'] },
  { files: ['src/tools/**'], forbid: ['engine', 'server', 'cli', 'client'] },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'examples/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: { allowDefaultProject: ['*.js', 'scripts/*.mjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite', 'before', 'after'] }] }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true, allowNullish: true }],
      'no-console': 'error',
    },
  },
  ...layerRules.map(({ files, forbid }) => ({
    files,
    rules: {
      'no-restricted-imports': ['error', {
        patterns: forbid.map((layer) => ({ group: [`**/${layer}/*`, `**/${layer}`, `../${layer}/*`, `../../${layer}/*`], message: `layer rule: this folder must not import ${layer}/ (see docs/architecture.md)` })),
      }],
    },
  })),
  {
    files: ['src/cli/**', 'scripts/**', 'bench/**', 'test/**'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['test/**'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off', '@typescript-eslint/no-unsafe-assignment': 'off', '@typescript-eslint/no-unsafe-member-access': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
