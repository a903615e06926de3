// The machine a bench/suite.ts run was taken on, read at run time for the printed report.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';

export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly onnxruntime: string;
  readonly platform: string;
  /** 1-minute load average when the run started: above ~0.5 means something else was running. */
  readonly loadAverage: number;
}

export async function machineInfo(): Promise<MachineInfo> {
  // onnxruntime-node's exports map hides package.json; find it next to the resolved entry.
  const entry = createRequire(import.meta.url).resolve('onnxruntime-node');
  let directory = dirname(entry);
  while (!directory.endsWith('onnxruntime-node')) directory = dirname(directory);
  const ortPackage = JSON.parse(await readFile(join(directory, 'package.json'), 'utf8')) as { version: string };
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    memoryGiB: Math.round(totalmem() / 2 ** 30 * 10) / 10,
    node: process.version,
    onnxruntime: ortPackage.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverage: loadavg()[0] ?? 0,
  };
}

export function describeMachine(m: MachineInfo): string {
  return `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.platform}, node ${m.node}, onnxruntime-node ${m.onnxruntime}, load average ${m.loadAverage.toFixed(2)} at start`;
}
