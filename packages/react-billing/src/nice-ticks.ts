/**
 * Round axis ticks from 0 to a "nice" maximum covering `max`, about `count` of them (default 4):
 * steps of 1, 2 or 5 times a power of ten, e.g. `niceTicks(87)` → `[0, 50, 100]`, `niceTicks(7)` →
 * `[0, 2, 4, 6, 8]`. Credits are whole numbers, so steps are at least 1 (`niceTicks(1)` → `[0, 1]`).
 * The last tick is the first at or above `max`. `max <= 0` gives `[0, 1]`.
 */
export function niceTicks(max: number, count = 4): number[] {
  if (!(max > 0)) return [0, 1]
  const rough = max / count
  const power = 10 ** Math.floor(Math.log10(rough))
  const step = Math.max(1, ([1, 2, 5, 10].find((m) => m * power >= rough) ?? 10) * power)
  const ticks: number[] = []
  for (let i = 0; ticks.length === 0 || (ticks.at(-1) as number) < max; i++) {
    ticks.push(Number((i * step).toPrecision(12)))
  }
  return ticks
}
