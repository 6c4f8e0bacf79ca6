import { MongoServerError } from 'mongodb'

/** `true` for the server's E11000 duplicate-key error (a concurrent insert or upsert won the race). */
export function isDuplicateKeyError(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === 11000
}
