import { useEffect, useRef } from 'react';
import uPlot from 'uplot';

export interface DailySeries {
  label: string;
  /** One value per day of `days`; null where the series has none (a gap in the line). */
  values: (number | null)[];
}

/** What the values are: whole counts from zero, or rates from 0 to 1 shown as percentages. */
export type ChartScale = 'count' | 'rate';

/** Distinct colours that keep 3:1 contrast on white, one per event type (cycled beyond eight). */
const PALETTE = ['#1f5fbf', '#c2410c', '#15803d', '#7e22ce', '#b91c1c', '#0f766e', '#a16207', '#be185d'];
const HEIGHT = 240;

export const seriesColor = (index: number) => PALETTE[index % PALETTE.length];

// Counts are whole numbers: no 0.5 ticks.
const COUNT_INCREMENTS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6, 1e7, 1e8, 1e9];
const RATE_INCREMENTS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5];
const percent = (rate: number) => `${Math.round(rate * 1000) / 10}%`;

/** The y axis of each scale: counts from zero up; rates up to 100%, from a little below the lowest one so small dips show. */
function yAxisOf(scale: ChartScale): { range: uPlot.Range.Function; axis: uPlot.Axis; value: (raw: number | null) => string } {
  if (scale === 'rate') {
    return {
      range: (_u, min) => [Math.max(0, Math.floor((Math.min(min, 1) - 0.01) * 20) / 20), 1],
      axis: { size: 60, incrs: RATE_INCREMENTS, values: (_u, splits) => splits.map(percent) },
      value: (raw) => (raw == null ? '—' : percent(raw)),
    };
  }
  return {
    range: (_u, _min, max) => [0, Math.max(1, max) * 1.1],
    axis: { size: 50, incrs: COUNT_INCREMENTS },
    value: (raw) => (raw == null ? '—' : raw.toLocaleString('en')),
  };
}

/** Midnight UTC of a YYYY-MM-DD day, in the seconds uPlot's time axis counts. */
const dayToSeconds = (day: string) => Date.parse(`${day}T00:00:00Z`) / 1000;

/**
 * A uPlot line chart of per-day values, one line per series, as wide as its container. The canvas
 * is an image summarised by `summary` to assistive technology; the page shows the numbers in a table beside it.
 */
export function DailyChart({ title, days, series, summary, scale = 'count' }: {
  title: string;
  days: string[];
  series: DailySeries[];
  summary: string;
  scale?: ChartScale;
}) {
  const container = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const y = yAxisOf(scale);
    const options: uPlot.Options = {
      width: Math.max(element.clientWidth, 200),
      height: HEIGHT,
      // Days are UTC, so the axis must be too (uPlot formats in the browser's zone by default).
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      scales: { x: { time: true }, y: { range: y.range } },
      axes: [{}, y.axis],
      series: [
        { label: 'Day', value: (_u, ts) => (ts == null ? '—' : new Date(ts * 1000).toISOString().slice(0, 10)) },
        ...series.map((s, index) => ({
          label: s.label, stroke: seriesColor(index), width: 2, points: { show: true, size: 6 }, value: (_u: uPlot, raw: number | null) => y.value(raw),
        })),
      ],
    };
    const data: uPlot.AlignedData = [days.map(dayToSeconds), ...series.map((s) => s.values)];
    const plot = new uPlot(options, data, element);
    plot.ctx.canvas.setAttribute('role', 'img');
    plot.ctx.canvas.setAttribute('aria-label', `${title}: ${summary}`);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(element.clientWidth, 200), height: HEIGHT }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [title, days, series, summary, scale]);

  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <div ref={container} />
    </figure>
  );
}
