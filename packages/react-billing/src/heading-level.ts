/** The HTML heading level a component's title renders at (`2` → `<h2>` … `6` → `<h6>`). */
export type HeadingLevel = 2 | 3 | 4 | 5 | 6
