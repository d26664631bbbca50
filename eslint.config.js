import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', 'var/**', 'test-results/**', 'bench/results/**', 'demo-course/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-control-regex': 'off',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['apps/client/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // The dependency direction shows in the folders: pure packages never import apps.
    files: ['packages/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/apps/**', '@carnet/server', '@carnet/client'],
              message: 'Pure packages must not import apps.',
            },
            {
              group: ['fastify', 'kysely', 'pg', 'better-sqlite3'],
              message: 'Pure packages have no server or database code.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['apps/server/src/db/migrations/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['../../*', '../../../*'], message: 'Migrations are frozen in time: never import app code.' },
          ],
        },
      ],
    },
  },
);
