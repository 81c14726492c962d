import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";

export default tseslint.config(
  {
    ignores: [
      "node_modules",
      "sdk/dist",
      "docs/api",
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
  {
    // The SDK's layers: core/ is player- and transport-agnostic (scheduling, store, stats, config);
    // engine/ wires it to p2p/ and http/; hlsjs/ adapts hls.js. core/ imports none of the others.
    files: ["sdk/src/core/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["../p2p/*", "../http/*", "../engine/*", "../hlsjs/*", "hls.js"],
              message:
                "sdk/src/core imports nothing from p2p/, http/, engine/ or hlsjs/ (see eslint.config.js)",
            },
          ],
        },
      ],
    },
  },
);
