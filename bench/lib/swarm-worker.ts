// Worker process of the swarm bench: hosts a share of the viewers and answers the bench process over
// IPC (see swarm-hosts.ts for the protocol). Started by ForkedHost; not meant to be run by hand.
import type { WorkerReply, WorkerRequest } from "./swarm-hosts.js";
import { ViewerGroup } from "./swarm-viewers.js";

let group: ViewerGroup | undefined;

const reply = (message: WorkerReply) => process.send?.(message);

process.on("message", (message: WorkerRequest) => {
  void handle(message).catch((error: unknown) => reply({ type: "fatal", message: String(error) }));
});
// The bench process went away: do not linger.
process.on("disconnect", () => process.exit(0));

async function handle(message: WorkerRequest): Promise<void> {
  switch (message.type) {
    case "init":
      group = new ViewerGroup(message.config, message.name);
      return void reply({ type: "ready" });
    case "join":
      return group?.join(message.index);
    case "status":
      if (group) reply({ type: "status", id: message.id, status: group.status() });
      return;
    case "stop":
      if (group) reply({ type: "stopped", id: message.id, result: await group.stop() });
      return;
    case "exit":
      group?.destroy();
      // node-datachannel closes its threads asynchronously; give it a moment, then leave.
      setTimeout(() => process.exit(0), 500);
      return;
  }
}
