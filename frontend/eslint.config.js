// eslint flat config: the frontend's import boundaries (DESIGN.md "Frontend conventions") and the
// house style. Style is checked by @stylistic rather than reformatted by a formatter: the rules
// describe the code as it is written (no semicolons, single quotes, trailing commas), so the check
// needs no mass reformat, and `npm run lint -- --fix` corrects what it flags.
import js from '@eslint/js'
import stylistic from '@stylistic/eslint-plugin'
import globals from 'globals'
import tseslint from 'typescript-eslint'

const cesium = { group: ['cesium', 'cesium/*', '@cesium/*'], message: 'only src/viewer/ imports cesium (DESIGN.md)' }
const viewer = { group: ['**/viewer', '**/viewer/*'], message: 'reach the 3D view through core/mapview.ts MapView, not viewer/' }
const ui = { group: ['**/ui', '**/ui/*'], message: 'core/ and api/ are below ui/: they never import it' }
/** `import('cesium')` / `import('../viewer')` (no-restricted-imports sees static imports only) */
const dynamicImport = (what) => ({
  selector: `ImportExpression[source.value=/${what}/]`,
  message: `no dynamic import of ${what} here (see the import boundaries in eslint.config.js)`,
})
const preact = { group: ['preact', 'preact/*', '@preact/*'], message: 'core/ is pure logic: no UI framework' }

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'src/api/schema.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs'],
    plugins: { '@stylistic': stylistic },
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
    rules: {
      '@stylistic/semi': ['error', 'never'],
      '@stylistic/quotes': ['error', 'single', { avoidEscape: true, allowTemplateLiterals: 'always' }],
      '@stylistic/comma-dangle': ['error', 'always-multiline'],
      '@stylistic/indent': ['error', 2, { SwitchCase: 1, ignoredNodes: ['TSUnionType', 'TSIntersectionType', 'ConditionalExpression *'] }],
      '@stylistic/max-len': ['error', { code: 240, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreComments: true }],
      '@stylistic/no-trailing-spaces': 'error',
      '@stylistic/eol-last': 'error',
      '@stylistic/no-multiple-empty-lines': ['error', { max: 1 }],
      '@stylistic/arrow-parens': ['error', 'always'],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['scripts/**/*.mjs', '*.config.*'],
    languageOptions: { globals: globals.node },
  },
  // the boundaries
  {
    files: ['src/**/*.ts'],
    ignores: ['src/viewer/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [cesium] }] },
  },
  {
    files: ['src/ui/**/*.ts', 'src/core/**/*.ts', 'src/api/**/*.ts', 'src/i18n/**/*.ts'],
    rules: { 'no-restricted-syntax': ['error', dynamicImport('cesium'), dynamicImport('viewer')] },
  },
  {
    files: ['src/ui/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [cesium, viewer] }] },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [cesium, viewer, ui, preact] }] },
  },
  {
    files: ['src/api/**/*.ts', 'src/i18n/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [cesium, viewer, ui, preact] }] },
  },
  {
    files: ['src/viewer/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [ui] }] },
  },
)
