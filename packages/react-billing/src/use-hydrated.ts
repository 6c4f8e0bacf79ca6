import { useSyncExternalStore } from 'react'

const subscribeNever = (): (() => void) => () => {}

/**
 * `false` during the server render and the hydrating client render, `true` afterwards and in
 * client-only renders. Lets a component render locale- and time-zone-dependent text (which differs
 * between server and viewer) only once hydration is done, so it cannot cause a mismatch.
 */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    subscribeNever,
    () => true,
    () => false,
  )
}
