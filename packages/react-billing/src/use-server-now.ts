import { useEffect, useState } from 'react'

/**
 * The current time on the server's clock (epoch ms), ticking every `tickInterval` ms (default 1000)
 * after mount. Starts at `at` — the server's `at` of a status — so the server render and the first
 * client render agree, then advances by the time elapsed on the client since it saw `at`: a viewer
 * whose clock is wrong still counts down right. `tickInterval <= 0` never ticks.
 */
export function useServerNow(at: string, tickInterval = 1000): number {
  const base = Date.parse(at)
  const [tick, setTick] = useState({ base, elapsed: 0 })
  useEffect(() => {
    setTick((prev) => (prev.base === base && prev.elapsed === 0 ? prev : { base, elapsed: 0 }))
    if (!(tickInterval > 0)) return
    const seenAt = Date.now()
    const id = setInterval(() => setTick({ base, elapsed: Date.now() - seenAt }), tickInterval)
    return () => clearInterval(id)
  }, [base, tickInterval])
  return tick.base === base ? base + tick.elapsed : base
}
