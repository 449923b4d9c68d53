/** A duration for progress lines: `42s`, `13m46s`. (Its own module: the CLI's output loads it at every start.) */
export function formatSeconds(s: number): string {
  const r = Math.round(s);
  return r < 60 ? `${r}s` : `${Math.floor(r / 60)}m${String(r % 60).padStart(2, '0')}s`;
}
