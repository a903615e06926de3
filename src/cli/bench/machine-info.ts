import os from 'node:os';
import { SERVER_VERSION } from '../../engine/index.js';
import type { MachineInfo } from './bench-result.js';

/** The machine the load generator ran on (not the server's, unless they are the same). */
export function machineInfo(): MachineInfo {
  return {
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    cpus: os.availableParallelism(),
    totalMemoryBytes: os.totalmem(),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    wharfVersion: SERVER_VERSION,
  };
}
