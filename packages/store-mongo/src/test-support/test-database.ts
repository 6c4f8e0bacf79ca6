import { randomBytes } from 'node:crypto'

/** The server the jest global setup provided; throws loudly when there is none. */
export function mongoUrl(): string {
  const url = process.env.MONGODB_URL
  if (!url) throw new Error('MONGODB_URL is not set: the jest global setup did not provide a server')
  return url
}

/** A database name no other test uses. */
export function freshDbName(label = 't'): string {
  return `abt_${label}_${process.pid}_${randomBytes(4).toString('hex')}`
}
