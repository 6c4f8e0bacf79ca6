/**
 * A duration as the compact text of a countdown, two units at most, rounded up to the second:
 * `"2 d 4 h"`, `"3 h 12 min"`, `"5 min 30 s"`, `"45 s"`; zero units after the first are left out
 * (`"3 h"`). Zero or negative gives `"0 s"`.
 */
export function formatCountdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000))
  const days = Math.floor(total / 86_400)
  const hours = Math.floor((total % 86_400) / 3600)
  const minutes = Math.floor((total % 3600) / 60)
  const seconds = total % 60
  const units: [number, string][] =
    days > 0
      ? [
          [days, 'd'],
          [hours, 'h'],
        ]
      : hours > 0
        ? [
            [hours, 'h'],
            [minutes, 'min'],
          ]
        : minutes > 0
          ? [
              [minutes, 'min'],
              [seconds, 's'],
            ]
          : [[seconds, 's']]
  return units
    .filter(([value], i) => i === 0 || value > 0)
    .map(([value, unit]) => `${value} ${unit}`)
    .join(' ')
}
