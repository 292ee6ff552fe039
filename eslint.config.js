import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'web/build/', 'web/.svelte-kit/', '.data/', 'scratch/', 'bench/results/', 'test-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,js,mjs}'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      // Domain code has no I/O and no clock: the time is passed in.
      'no-restricted-properties': 'off',
    },
  },
  {
    files: ['domain/**/*.ts'],
    ignores: ['domain/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['node:*', 'ioredis', 'postgres', 'bullmq', 'express', 'socket.io', '../db/*', '../jobs/*', '../realtime/*'] }],
      'no-restricted-globals': ['error', { name: 'process', message: 'domain/ is pure: pass configuration in' }],
    },
  },
);
