// Lint: typescript-eslint's type-aware recommended rules (recommendedTypeChecked) on the
// TypeScript sources and tests, the plain recommended ones on the JavaScript (benchmarks, scripts,
// configs). Each rule turned off or loosened below says why.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'runs/', 'reports/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['vitest.config.ts'] }, tsconfigRootDir: import.meta.dirname },
      globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', URL: 'readonly', Buffer: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Methods that implement a Promise-returning interface (Channel.send/close, a view) are
      // async without awaiting so that whatever they throw reaches the caller as a rejection;
      // dropping `async` would turn those rejections into synchronous throws.
      '@typescript-eslint/require-await': 'off',
      // The engine, the dispatcher and the voice channel rethrow a failure caught earlier (held
      // as `unknown`, narrowed by `!== undefined`): rethrowing whatever was caught is the point.
      '@typescript-eslint/only-throw-error': 'off',
      // Waits reject with `signal.reason`, as Node's own timers/promises do: whatever the aborting
      // code gave (an AbortError by default), typed `any` by the DOM typings.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingAny: true, allowThrowingUnknown: true }],
      // String() is the deliberate last resort for values read from files, providers and errors
      // (a YAML scalar, a provider's error message, a report cell) after strings and Errors are
      // handled; rewriting each site to guess the value's type would change what users read.
      '@typescript-eslint/no-base-to-string': 'off',
    },
  },
  {
    // Tests read the CLI's JSON output and the reports as `any` on purpose: each assertion checks
    // the shape it expects, and typing every parsed document would repeat src/'s types.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
  // JavaScript files (benchmarks, scripts, configs) are in no TypeScript project: untyped rules only.
  { files: ['**/*.js', '**/*.mjs', '**/*.cjs'], ...tseslint.configs.disableTypeChecked },
  { files: ['**/*.cjs'], languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } } },
);
