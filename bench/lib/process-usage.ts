/** CPU time and memory of this process, for the benches' child processes to report over IPC. */
export interface ProcessUsage {
  /** User + system CPU seconds since `cpuAtStart`. */
  cpuSec: number;
  rssBytes: number;
  maxRssBytes: number;
  heapUsedBytes: number;
}

export function processUsage(cpuAtStart: NodeJS.CpuUsage): ProcessUsage {
  const cpu = process.cpuUsage(cpuAtStart);
  const memory = process.memoryUsage();
  return {
    cpuSec: (cpu.user + cpu.system) / 1e6,
    rssBytes: memory.rss,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    heapUsedBytes: memory.heapUsed,
  };
}
