// Runs inside a namespace (see port-bridge.ts): on `{cmd:"forward", address, port, socket}` it
// listens on address:port there and pipes every connection to the Unix socket `socket`, which the
// host side forwards to 127.0.0.1. Unix sockets are files, so they cross network namespaces: the
// host's network needs no interface, address or route of the run.
import net from "node:net";
import { emitEvent, onCommands } from "./ns-agent.js";
import { splice } from "./port-bridge.js";

const servers: net.Server[] = [];

await onCommands(async (command) => {
  if (command["cmd"] !== "forward") return;
  const address = String(command["address"]);
  const port = Number(command["port"]);
  const socketPath = String(command["socket"]);
  const server = net.createServer((client) => {
    // Small WebSocket messages (tracker signalling) go out at once, not after Nagle's wait.
    client.setNoDelay(true);
    splice(client, net.connect(socketPath));
  });
  servers.push(server);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, address, () => resolve());
  });
  emitEvent({ event: "forwarding", port });
});
for (const server of servers) server.close();
process.exit(0);
