// Occupancy and queue length over event time, in a bounded number of points: when the
// series outgrows its limit, neighbouring points merge and the resolution doubles, so a
// day of live events and a replayed two-month wave both fit one chart.

export interface SamplePoint {
  /** Start of the bucket, epoch milliseconds of event time. */
  t: number;
  total: number;
  occupied: number;
  held: number;
  waiting: number;
}

export interface TimeSeries {
  resolutionMs: number;
  maxPoints: number;
  /** Closed buckets, oldest first; each holds the state at the end of its bucket. */
  points: SamplePoint[];
}

export function emptySeries(resolutionMs = 60_000, maxPoints = 480): TimeSeries {
  return { resolutionMs, maxPoints, points: [] };
}

export function bucketOf(series: TimeSeries, t: number): number {
  return Math.floor(t / series.resolutionMs) * series.resolutionMs;
}

/** Closes the bucket that `sample` ends; a later sample of the same bucket replaces it. */
export function recordSample(series: TimeSeries, sample: SamplePoint): void {
  const point = { ...sample, t: bucketOf(series, sample.t) };
  const last = series.points.at(-1);
  if (last !== undefined && last.t >= point.t) series.points[series.points.length - 1] = { ...point, t: last.t };
  else series.points.push(point);
  if (series.points.length > series.maxPoints) coarsen(series);
}

/** Halves the number of points: each pair of coarser buckets keeps its later state. */
function coarsen(series: TimeSeries): void {
  series.resolutionMs *= 2;
  const merged: SamplePoint[] = [];
  for (const point of series.points) {
    const t = bucketOf(series, point.t);
    const last = merged.at(-1);
    if (last !== undefined && last.t === t) merged[merged.length - 1] = { ...point, t };
    else merged.push({ ...point, t });
  }
  series.points = merged;
}
