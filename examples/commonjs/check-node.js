// `require("nearcast")` in plain Node: the CommonJS build loads without touching any browser global
// (server-side code can import config types, VERSION or errors without a DOM).
const nearcast = require("nearcast");

for (const name of ["Nearcast", "withNearcast", "Engine", "ConfigError", "mergeConfig"]) {
  if (typeof nearcast[name] !== "function") throw new Error(`require("nearcast").${name} is missing`);
}
// Config is validated in Node too: a typo is a clear error, not a silent default.
try {
  nearcast.mergeConfig({ maxPeer: 3 });
  throw new Error("mergeConfig accepted an unknown key");
} catch (error) {
  if (!(error instanceof nearcast.ConfigError)) throw error;
}
console.log(`require("nearcast") ${nearcast.VERSION}: ok`);
