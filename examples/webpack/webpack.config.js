// Plain webpack 5: one entry, an HTML page generated around it.
const path = require("node:path");
const HtmlWebpackPlugin = require("html-webpack-plugin");

module.exports = {
  entry: "./src/index.js",
  output: { path: path.resolve(__dirname, "dist"), filename: "[name].[contenthash].js", clean: true },
  // webpack 5.113 reads the nearest tsconfig.json's `paths` by default; inside the Nearcast checkout
  // that is the repository's, which maps `nearcast` to the SDK's TypeScript sources. This app uses
  // the installed package, as an app outside the checkout would.
  resolve: { tsconfig: false },
  plugins: [new HtmlWebpackPlugin({ template: "./src/index.html" })],
  performance: { hints: false }, // hls.js alone is over webpack's 244 KiB warning
};
