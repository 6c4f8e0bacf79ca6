import { useEffect, useState } from 'react'
import { useHydrated } from './use-hydrated.js'

/**
 * The viewer's clock (epoch ms), re-read every `tickInterval` ms after mount (`<= 0`: only on renders).
 * During the server render and the hydrating client render it is `fallback` instead — a time both
 * sides know, so they print the same — and the viewer's clock from the render after hydration on.
 */
export function useClientNow(fallback: number, tickInterval: number): number {
  const hydrated = useHydrated()
  const [, setTick] = useState(0)
  useEffect(() => {
    if (!(tickInterval > 0)) return
    const id = setInterval(() => setTick((t) => t + 1), tickInterval)
    return () => clearInterval(id)
  }, [tickInterval])
  return hydrated ? Date.now() : fallback
}
