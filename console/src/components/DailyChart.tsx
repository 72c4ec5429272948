import { useEffect, useRef } from 'react';
import uPlot from 'uplot';

export interface DailySeries {
  label: string;
  /** One value per day of `days`. */
  values: number[];
}

/** Distinct colours that keep 3:1 contrast on white, one per event type (cycled beyond eight). */
const PALETTE = ['#1f5fbf', '#c2410c', '#15803d', '#7e22ce', '#b91c1c', '#0f766e', '#a16207', '#be185d'];
const HEIGHT = 240;

export const seriesColor = (index: number) => PALETTE[index % PALETTE.length];

/** Midnight UTC of a YYYY-MM-DD day, in the seconds uPlot's time axis counts. */
const dayToSeconds = (day: string) => Date.parse(`${day}T00:00:00Z`) / 1000;

/**
 * A uPlot line chart of per-day values, one line per series, as wide as its container. The canvas
 * is an image summarised by `summary` to assistive technology; the page shows the numbers in a table beside it.
 */
export function DailyChart({ title, days, series, summary }: { title: string; days: string[]; series: DailySeries[]; summary: string }) {
  const container = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const options: uPlot.Options = {
      width: Math.max(element.clientWidth, 200),
      height: HEIGHT,
      // Days are UTC, so the axis must be too (uPlot formats in the browser's zone by default).
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.1] } },
      // Counts are whole numbers: no 0.5 ticks.
      axes: [{}, { size: 50, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6, 1e7, 1e8, 1e9] }],
      series: [
        { label: 'Day', value: (_u, ts) => (ts == null ? '—' : new Date(ts * 1000).toISOString().slice(0, 10)) },
        ...series.map((s, index) => ({ label: s.label, stroke: seriesColor(index), width: 2, points: { show: true, size: 6 } })),
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
  }, [title, days, series, summary]);

  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <div ref={container} />
    </figure>
  );
}
