/**
 * What a learner has seen of a video (issue 12): the segments their player played (the browser's
 * `played` ranges), merged across visits. "Watched" is 90 % of the duration played — not where
 * the seek bar stands: jumping to the end watches nothing. Pure.
 */

export type Segment = [number, number];

/** The share of a video that counts as watched. */
export const WATCHED_SHARE = 0.9;

/** Segments clipped to [0, duration], sorted, overlapping or touching ones merged (1/4 s apart). */
export function mergeSegments(segments: readonly Segment[], duration: number): Segment[] {
  const clipped = segments
    .map(([a, b]): Segment => [Math.max(0, Math.min(a, duration)), Math.max(0, Math.min(b, duration))])
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  const merged: Segment[] = [];
  for (const [a, b] of clipped) {
    const last = merged.at(-1);
    if (last && a <= last[1] + 0.25) last[1] = Math.max(last[1], b);
    else merged.push([a, b]);
  }
  return merged;
}

/** Seconds covered by merged segments. */
export function covered(segments: readonly Segment[]): number {
  return segments.reduce((sum, [a, b]) => sum + (b - a), 0);
}

/** Whether merged segments cover the watched share of the duration. */
export function isWatched(segments: readonly Segment[], duration: number): boolean {
  return duration > 0 && covered(segments) >= WATCHED_SHARE * duration - 1e-6;
}
