// ESLint (flat config) with type information: typescript-eslint's recommended-type-checked rules plus the rules
// the architecture guide promises (no floating or misused promises, exhaustive switches, `import type`, `===`,
// no runtime import cycles, a file-size limit). Main stays at zero problems: every rule here is an error.
// Formatting (quotes, commas, wrapping) is prettier's job (.prettierrc.json), not ESLint's.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';
import { importX, createNodeResolver } from 'eslint-plugin-import-x';

/** Node's globals for the plain-JavaScript scripts (TypeScript files get theirs from the type checker). */
const nodeGlobals = Object.fromEntries(
  (
    'process console Buffer URL URLSearchParams setTimeout clearTimeout setInterval clearInterval setImmediate queueMicrotask ' +
    'structuredClone fetch Response Request Headers AbortController AbortSignal TextEncoder TextDecoder performance globalThis crypto'
  )
    .split(' ')
    .map((name) => [name, 'readonly']),
);

export default defineConfig(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      'coverage/**',
      'data/**',
      'e2e/artifacts/**',
      'bench/results/**',
      'packages/server/drizzle/**',
      'packages/web/src/api/schema.gen.ts',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // Each file is checked with the tsconfig.json nearest to it (packages/*, bench, e2e, scripts); the
        // config files at the roots of the packages are not in any project and use the default one.
        projectService: {
          allowDefaultProject: ['*.js', '*.ts', 'packages/*/*.ts', 'packages/web/public/*.js'],
          defaultProject: 'tsconfig.base.json',
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx', '.mts', '.cts'] },
      'import-x/external-module-folders': ['node_modules', 'node_modules/@types'],
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.tsx', '.mts', '.js', '.mjs', '.json'] })],
    },
    rules: {
      // Promises: a promise is awaited, returned, or explicitly `void`ed with a comment saying why nobody waits.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/require-await': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false }],
      // `import('x').T` in a type position is erased like `import type`; only value-style imports of types are flagged.
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      eqeqeq: ['error', 'always'],
      // Runtime cycles, dynamic `await import()` included (a dynamic import that dodges a cycle is still one);
      // `import type` and imports of types alone are erased and cannot cycle.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      // Files grow; past 600 lines of code (blank lines and comments not counted: the formatter and the docs should not
      // push a file over) split them along their seams. The files already larger are listed below.
      'max-lines': ['error', { max: 600, skipBlankLines: true, skipComments: true }],
      // Every control character in the code's regexes is deliberate (stripping them from user input, ASCII ranges in
      // search normalisation); the rule only catches typing accidents, and it had no true finding here.
      'no-control-regex': 'off',
    },
  },
  // split: #17 — the files already over 600 lines, each capped a little above its size so it does not grow further;
  // split it along its seams, then delete its line here.
  ...Object.entries({
    'packages/core/src/search/search-index.ts': 1300, // 1265 lines: index build, query, ranking, snapshot
    'e2e/portal.mjs': 720, // 698 lines: the portal journeys, one per page
    'packages/server/test/access-matrix.test.ts': 700, // 672 code lines: a fixture per operation for the generated matrix
    'packages/web/src/features/surveys/SurveysPage.tsx': 680, // 646 code lines: templates, invitations, answers tabs
  }).map(([file, max]) => ({ files: [file], rules: { 'max-lines': ['error', { max, skipBlankLines: true, skipComments: true }] } })),
  {
    // Tests and benchmarks read HTTP bodies and untyped tools (autocannon) as `any` and check the values with
    // expect/assertions; typing every response would add nothing, so the no-unsafe-* rules and no-explicit-any are
    // off here. The promise, await, equality and import rules still apply.
    files: ['**/*.test.ts', 'packages/server/test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // Plain JavaScript (scripts, browser journeys): no types to check, so every value is `any` and the no-unsafe-*
    // rules would flag every line. The promise, equality and import rules still apply.
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: nodeGlobals },
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-unary-minus': 'off',
    },
  },
  {
    // The journeys' page.evaluate(() => …) callbacks run in the browser.
    files: ['e2e/**/*.mjs'],
    languageOptions: { globals: { document: 'readonly', window: 'readonly', navigator: 'readonly', getComputedStyle: 'readonly', location: 'readonly' } },
  },
  {
    // The chat widget's loader runs on the customer's web page, in the browser.
    files: ['packages/web/public/*.js'],
    languageOptions: { globals: { document: 'readonly', window: 'readonly', navigator: 'readonly', location: 'readonly' } },
  },
);
