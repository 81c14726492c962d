// Nearcast client whose runner config sets `allowUnverifiedPeers: true` (scenarios.ts): the trust
// bench's baseline for what the default protection costs.
import { startNearcastPage } from "./nearcast-client.js";

startNearcastPage("nearcast-unverified");
