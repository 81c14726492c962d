import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";

export default tseslint.config(
  {
    ignores: [
      "node_modules",
      "sdk/dist",
      "demo-server/dist",
      "demo-server/public",
      "bench/pages/dist",
      "demo-server/media",
      "test/media",
      "coverage",
      "test-artifacts",
      "bench/results",
      "examples/*/node_modules",
      "examples/*/dist",
      "examples/*/.next",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
    },
  },
  {
    // The CommonJS examples show `require` on purpose.
    files: ["examples/commonjs/**/*.js", "examples/webpack/webpack.config.js"],
    languageOptions: { sourceType: "commonjs" },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    files: ["sdk/src/**/*.ts"],
    rules: { "no-console": "error" },
  },
);
