// Nearcast client with the SDK's defaults (the trust ladder on).
import { startNearcastPage } from "./nearcast-client.js";

startNearcastPage("nearcast");
