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
      "coverage",
      "test-artifacts",
      "bench/results",
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
    files: ["sdk/src/**/*.ts"],
    rules: { "no-console": "error" },
  },
);
