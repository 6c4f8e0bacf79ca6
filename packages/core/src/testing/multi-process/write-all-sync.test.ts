import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'

const LOADER = join(__dirname, '..', 'register-typescript-loader.mjs')
const PIECE = 'ack\n'.repeat(16_384) // 64 KiB: the whole pipe, so the next piece finds it full

/** Runs `script` (an ES module) in a child Node and collects its stdout. */
function runChild(script: string): Promise<{ code: number | string; stdout: string; stderr: string }> {
  const args = ['--import', LOADER, '--input-type=module', '-e', script]
  return new Promise((resolve) => {
    execFile(process.execPath, args, { maxBuffer: 64 << 20, timeout: 20_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : (error.code ?? 'killed'), stdout, stderr })
    })
  })
}

describe('writeAllSync', () => {
  it('delivers 64 pieces of 64 KiB written into a child’s stdout pipe, whole and in order', async () => {
    const module = JSON.stringify(join(__dirname, 'write-all-sync.ts'))
    const script = `import { writeAllSync } from ${module}
      for (let i = 0; i < 64; i++) writeAllSync(1, ${JSON.stringify(PIECE)})`
    const { code, stdout, stderr } = await runChild(script)
    expect({ code, stderr, bytes: stdout.length }).toEqual({ code: 0, stderr: '', bytes: 64 * PIECE.length })
    expect(stdout).toBe(PIECE.repeat(64))
  }, 30_000)
})
