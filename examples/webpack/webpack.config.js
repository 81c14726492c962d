// Plain webpack 5: one entry, an HTML page generated around it.
const path = require("node:path");
const HtmlWebpackPlugin = require("html-webpack-plugin");

module.exports = {
  entry: "./src/index.js",
  output: { path: path.resolve(__dirname, "dist"), filename: "[name].[contenthash].js", clean: true },
  plugins: [new HtmlWebpackPlugin({ template: "./src/index.html" })],
  performance: { hints: false }, // hls.js alone is over webpack's 244 KiB warning
};
