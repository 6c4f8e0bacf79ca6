import { cpus, totalmem, type } from 'node:os'

/** What the numbers were measured on. */
export interface MachineInfo {
  readonly cpu: string
  readonly cores: number
  readonly memoryGiB: number
  readonly os: string
  readonly node: string
  readonly date: string
}

/** This machine, now. */
export function machineInfo(): MachineInfo {
  const list = cpus()
  return {
    cpu: list[0]?.model.trim() ?? 'unknown CPU',
    cores: list.length,
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    os: type(),
    node: process.version,
    date: new Date().toISOString(),
  }
}

/** One line, e.g. `2 × Intel Xeon …, 24 GiB, Linux, Node v20.20.0, 2026-11-28`. */
export function describeMachine(m: MachineInfo): string {
  return `${m.cores} × ${m.cpu}, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}, ${m.date.slice(0, 10)}`
}
