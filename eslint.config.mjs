// Lint for the whole workspace (`npm run lint`, also a check in `npm test`). It enforces a few things that
// matter, not style (Prettier owns layout; eslint-config-prettier switches off the rules that would fight it):
//  - the package layering, with Nx's module-boundary rule on the "nx.tags" in each package.json:
//      type:core (grid, metrics, datasets) -> type:core only
//      type:kernel (tfjs-wasm-training)    -> type:kernel only (a leaf; depends on tfjs alone)
//      type:ml (models)                    -> type:core, type:kernel, type:ml
//      type:app (reconstruct)              -> everything below it
//      type:example (examples/*)           -> anything but another example
//    Nx also fails any import that closes a cycle between projects, which is what keeps the direction inside
//    type:core (datasets -> grid, metrics; grid importing datasets closes a cycle and fails).
//  - typescript-eslint's recommended rules (syntactic, no type information, so lint stays fast), with
//    no-explicit-any as a warning.
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', 'docs/api/**', '**/coverage/**', '.nx/**', '**/*.d.ts'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    files: ['**/*.{ts,mts,js,mjs,cjs}'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          // Tests import their own package by name (as a user would), not by relative path.
          allowCircularSelfDependency: true,
          // Shared test helpers and the Jest preset live at the root, outside every project.
          allow: ['^(\\.\\./)+test-support/', '^(\\.\\./)+jest\\.preset\\.js$'],
          depConstraints: [
            { sourceTag: 'type:core', onlyDependOnLibsWithTags: ['type:core'] },
            { sourceTag: 'type:kernel', onlyDependOnLibsWithTags: ['type:kernel'] },
            { sourceTag: 'type:ml', onlyDependOnLibsWithTags: ['type:core', 'type:kernel', 'type:ml'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:core', 'type:kernel', 'type:ml', 'type:app'] },
            {
              sourceTag: 'type:example',
              onlyDependOnLibsWithTags: ['type:core', 'type:kernel', 'type:ml', 'type:app'],
            },
          ],
        },
      ],
      '@typescript-eslint/no-explicit-any': 'warn',
      // `let [x, y] = …` where only x is reassigned stays one statement.
      'prefer-const': ['error', { destructuring: 'all' }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
