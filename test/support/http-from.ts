// HTTP requests from a chosen loopback source address (127.0.0.2, 127.0.0.3…), so one test can play
// several clients the server tells apart by address, without a proxy header.
import http from "node:http";

/** One keep-alive agent per source address: a flood reuses its connections like a real client. */
const agents = new Map<string, http.Agent>();

export function agentFrom(localAddress: string): http.Agent {
  let agent = agents.get(localAddress);
  if (agent === undefined) {
    agent = new http.Agent({ keepAlive: true, maxSockets: 16, localAddress });
    agents.set(localAddress, agent);
  }
  return agent;
}

/** POSTs `body` as JSON to `url` from `localAddress`; resolves with the status and the body text. */
export function postFrom(
  localAddress: string,
  url: string,
  body: unknown,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const request = http.request(
      url,
      {
        method: "POST",
        agent: agentFrom(localAddress),
        headers: { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(payload) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString() }),
        );
        response.on("error", reject);
      },
    );
    request.on("error", reject);
    request.end(payload);
  });
}

/** Closes the idle keep-alive sockets of every agent (end of a test). */
export function closeAgents(): void {
  for (const agent of agents.values()) agent.destroy();
  agents.clear();
}
