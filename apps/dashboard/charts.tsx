/**
 * The activity page's charts, drawn as SVG on the server: stacked bars of tasks per day or week
 * by status, each backend's success rate, and the spread of turnarounds. No script and no chart
 * library: each is a few rectangles and labels, with a title and a description for screen readers.
 */
import type { ActivityStats, BackendActivity, Turnaround } from "../../core/index.ts";
import { TASK_STATUSES } from "../../core/index.ts";

/** One colour per status, the same as the status badges' hues. */
export const STATUS_COLOURS: Record<(typeof TASK_STATUSES)[number], string> = {
  success: "#2e8b57",
  failed: "#c0392b",
  cancelled: "#8e8e8e",
  running: "#2b59c3",
  pending: "#d4a017",
};

const round = (value: number) => Math.round(value * 10) / 10;

/** Seconds as a short label: 40 s, 5 min, 2 h, 3 d. */
export function shortSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${round(seconds / 60)} min`;
  if (seconds < 86_400) return `${round(seconds / 3600)} h`;
  return `${round(seconds / 86_400)} d`;
}

export function PeriodsChart(props: { stats: ActivityStats }) {
  const { periods, by } = props.stats;
  const width = 720;
  const height = 220;
  const left = 40;
  const bottom = 24;
  const most = Math.max(1, ...periods.map((period) => period.tasks.total));
  const slot = (width - left) / Math.max(1, periods.length);
  const bar = Math.max(1, slot * 0.8);
  const scale = (n: number) => (n / most) * (height - bottom - 8);
  const every = Math.ceil(periods.length / 8);
  return (
    <svg
      class="chart"
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-labelledby="periods-title periods-desc"
      data-chart="periods"
    >
      <title id="periods-title">Tasks per {by} by status</title>
      <desc id="periods-desc">
        {periods.length} {by}s; the busiest had {most} tasks.
      </desc>
      <text x={0} y={12} class="axis">
        {most}
      </text>
      <line x1={left - 4} x2={width} y1={height - bottom} y2={height - bottom} class="axis-line" />
      {periods.map((period, i) => {
        let top = height - bottom;
        const x = left + i * slot + (slot - bar) / 2;
        return (
          <g data-period={period.start}>
            <title>{`${period.start}: ${period.tasks.total} tasks (${TASK_STATUSES.filter((s) => period.tasks[s])
              .map((s) => `${period.tasks[s]} ${s}`)
              .join(", ")})`}</title>
            {TASK_STATUSES.map((status) => {
              const h = scale(period.tasks[status]);
              if (h <= 0) return null;
              top -= h;
              return (
                <rect x={round(x)} y={round(top)} width={round(bar)} height={round(h)} fill={STATUS_COLOURS[status]} />
              );
            })}
            {i % every === 0 && (
              <text x={round(x)} y={height - 8} class="axis">
                {period.start.slice(5)}
              </text>
            )}
          </g>
        );
      })}
    </svg>
  );
}

export function SuccessChart(props: { backends: BackendActivity[] }) {
  const rated = props.backends.filter((backend) => backend.success_rate !== null);
  const row = 26;
  const width = 720;
  const label = 220;
  const height = Math.max(row, rated.length * row);
  return (
    <svg
      class="chart"
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-labelledby="success-title"
      data-chart="success"
    >
      <title id="success-title">Success rate per backend, among finished tasks</title>
      {rated.map((backend, i) => {
        const rate = backend.success_rate!;
        const y = i * row;
        return (
          <g data-backend={backend.backend}>
            <text x={0} y={y + 17} class="label">
              {backend.backend}
            </text>
            <rect x={label} y={y + 4} width={width - label - 70} height={row - 8} fill="#eef1f6" />
            <rect x={label} y={y + 4} width={round(rate * (width - label - 70))} height={row - 8} fill="#2e8b57" />
            <text x={width - 60} y={y + 17} class="label">
              {`${(100 * rate).toFixed(1)} %`}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

export function TurnaroundChart(props: { turnaround: Turnaround }) {
  const { histogram } = props.turnaround;
  const width = 720;
  const height = 180;
  const bottom = 24;
  const most = Math.max(1, ...histogram.map((bin) => bin.n));
  const slot = width / Math.max(1, histogram.length);
  const every = Math.ceil(histogram.length / 10);
  return (
    <svg
      class="chart"
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-labelledby="turnaround-title"
      data-chart="turnaround"
    >
      <title id="turnaround-title">
        Turnaround of finished tasks, submit to final status, in bins of 1–9 × 10^k seconds
      </title>
      {histogram.map((bin, i) => {
        const h = (bin.n / most) * (height - bottom - 8);
        return (
          <g>
            <title>{`under ${shortSeconds(bin.below_s)}: ${bin.n} tasks`}</title>
            <rect
              x={round(i * slot + 1)}
              y={round(height - bottom - h)}
              width={round(Math.max(1, slot - 2))}
              height={round(h)}
              fill="#2b59c3"
            />
            {i % every === 0 && (
              <text x={round(i * slot)} y={height - 8} class="axis">
                {`<${shortSeconds(bin.below_s)}`}
              </text>
            )}
          </g>
        );
      })}
    </svg>
  );
}

/** Colours of the series of a distribution chart: ideal first, then each task. */
export const SERIES_COLOURS = ["#8e8e8e", "#2b59c3", "#c0392b", "#2e8b57", "#d4a017", "#7d3c98", "#16a085"];

/** The outcomes a chart shows at most; the rest are summed into one group. */
const MAX_OUTCOMES = 32;

/**
 * Distributions side by side: for each outcome, one bar per series. Outcomes are those with the
 * highest probability in any series, in bit order; past {@link MAX_OUTCOMES}, the rest are one group.
 */
export function DistributionChart(props: {
  series: { label: string; distribution: Record<string, number> }[];
  id: string;
  /** Which of {@link SERIES_COLOURS} the first series takes: grey is the ideal's. */
  firstColour?: number;
}) {
  const { series } = props;
  const peak = (outcome: string) => Math.max(...series.map((s) => s.distribution[outcome] ?? 0));
  const all = [...new Set(series.flatMap((s) => Object.keys(s.distribution)))];
  const shown = [...all]
    .sort((a, b) => peak(b) - peak(a) || (a < b ? -1 : 1))
    .slice(0, MAX_OUTCOMES)
    .sort();
  const rest = all.filter((outcome) => !shown.includes(outcome));
  const groups = shown.map((outcome) => ({ label: outcome, values: series.map((s) => s.distribution[outcome] ?? 0) }));
  if (rest.length)
    groups.push({
      label: `${rest.length} others`,
      values: series.map((s) => rest.reduce((sum, outcome) => sum + (s.distribution[outcome] ?? 0), 0)),
    });
  const width = 720;
  const height = 220;
  const bottom = 40;
  const top = Math.max(0.01, ...groups.flatMap((g) => g.values));
  const slot = width / Math.max(1, groups.length);
  const bar = Math.max(1, (slot * 0.8) / series.length);
  return (
    <svg
      class="chart"
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-labelledby={`${props.id}-title`}
      data-chart="distribution"
    >
      <title id={`${props.id}-title`}>{`Outcome probabilities: ${series.map((s) => s.label).join(" beside ")}`}</title>
      {groups.map((group, i) => (
        <g data-outcome={group.label}>
          <title>{`${group.label}: ${group.values.map((p, k) => `${series[k]!.label} ${(100 * p).toFixed(2)} %`).join(", ")}`}</title>
          {group.values.map((p, k) => {
            const h = (p / top) * (height - bottom - 8);
            return (
              <rect
                x={round(i * slot + slot * 0.1 + k * bar)}
                y={round(height - bottom - h)}
                width={round(bar)}
                height={round(h)}
                fill={SERIES_COLOURS[(k + (props.firstColour ?? 0)) % SERIES_COLOURS.length]}
              />
            );
          })}
          {(groups.length <= 16 || i % Math.ceil(groups.length / 16) === 0) && (
            <text x={round(i * slot + slot / 2)} y={height - bottom + 14} class="axis" text-anchor="middle">
              {group.label}
            </text>
          )}
        </g>
      ))}
    </svg>
  );
}
