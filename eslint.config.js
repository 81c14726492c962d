import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";

// One-way layers, each arrow enforced below: a folder imports only the folders listed for it (and
// itself); anything else, including the entry file and whatever lies outside the package's src/, is
// an error. A shared helper that two siblings need moves down into the layer both may import.
//
// SDK: the player adapters (hlsjs/, shaka/) → engine/ (delivery, wiring) → p2p/, http/ (transports,
// never each other) → core/ (store, verification, config, stats, the pure policy). index.ts and
// shaka/index.ts are the public entry points; nothing inside imports them.
const SDK_LAYERS = {
  core: [],
  p2p: ["core"],
  http: ["core"],
  // The trust ladder: checks peer bytes against digests, the digest service and CDN spot checks.
  verify: ["core", "http"],
  engine: ["core", "p2p", "http", "verify"],
  hlsjs: ["core", "engine"],
  shaka: ["core", "engine"],
  "index.ts": ["core", "p2p", "http", "verify", "engine", "hlsjs", "shaka"],
};
// Player libraries only in their adapter, and no Node built-ins: the SDK runs in browsers.
const SDK_BARE_IMPORTS = {
  "hls.js": ["hlsjs"],
  "shaka-player": ["shaka"],
  "node:*": [],
};
// Server: main.ts (the bin) → cli/ (flags, commands) → server.ts (the composition root) and
// config.ts (its options) → the services → net/ (addresses, tokens, access policy, limits). stats/
// reports on the tracker and the origin, and digests/ reads playlists with the origin's parser.
const SERVER_LAYERS = {
  "main.ts": ["cli", "config.ts", "server.ts", "origin"],
  cli: ["config.ts", "digests", "ice", "origin", "net"],
  "server.ts": ["config.ts", "digests", "ice", "origin", "stats", "tracker", "net"],
  "config.ts": ["digests", "ice", "origin", "net"],
  stats: ["tracker", "origin", "net"],
  digests: ["origin", "net"],
  tracker: ["net"],
  origin: ["net"],
  ice: ["net"],
  net: [],
};

const escapeRegex = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * ESLint config objects that hold every layer of `root` to its allowed imports. `layers` maps a
 * folder (or a root file, named with its extension) to the folders and root files it may import;
 * `bare` maps a package name (a trailing `*` matches a prefix) to the folders that may import it.
 * Relative imports are matched by how many `../` they climb, so a file at any depth is held to the
 * rules of the top folder it lives in.
 */
function layerRules(root, layers, bare) {
  const names = Object.keys(layers);
  const configs = [];
  for (const name of names) {
    const isFile = name.endsWith(".ts");
    const allowed = new Set([...layers[name], name]);
    const banned = names.filter((other) => !allowed.has(other));
    // A layer imports its siblings as "<up>folder/…" or "<up>file.js".
    const targets = banned.map((other) =>
      other.endsWith(".ts") ? `${escapeRegex(other.slice(0, -3))}\\.js$` : `${escapeRegex(other)}/`,
    );
    const bannedBare = Object.entries(bare)
      .filter(([, users]) => !users.includes(name))
      .map(([pkg]) => (pkg.endsWith("*") ? `^${escapeRegex(pkg.slice(0, -1))}` : `^${escapeRegex(pkg)}$`));
    const message = `${root}/${name} may import only ${[...layers[name]].join(", ") || "itself"} (layers: eslint.config.js)`;
    // Depth 0 is a root file, which imports with "./"; a file d folders down climbs with d "../".
    for (const depth of isFile ? [0] : [1, 2, 3]) {
      const up = depth === 0 ? "\\./" : `(\\.\\./){${depth}}`;
      const outside = `^(\\.\\./){${depth + 1}}`;
      const siblings = targets.length ? [`^${up}(${targets.join("|")})`] : [];
      configs.push({
        files: [isFile ? `${root}/${name}` : `${root}/${name}/${"*/".repeat(depth - 1)}*.ts`],
        rules: {
          "no-restricted-imports": [
            "error",
            {
              patterns: [...siblings, outside, ...bannedBare].map((regex) => ({ regex, message })),
            },
          ],
        },
      });
    }
  }
  return configs;
}

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
  ...layerRules("sdk/src", SDK_LAYERS, SDK_BARE_IMPORTS),
  ...layerRules("demo-server/src", SERVER_LAYERS, {}),
);
