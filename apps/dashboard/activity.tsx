/** The activity page: how the work went over a range, in charts drawn on the server and in a table. */
import type { ActivityStats } from "../../core/index.ts";
import { TASK_STATUSES } from "../../core/index.ts";
import { PeriodsChart, STATUS_COLOURS, SuccessChart, TurnaroundChart, shortSeconds } from "./charts.tsx";
import { Layout, type PageFrame } from "./layout.tsx";

/** Ranges offered as links, beside the boxes for any other. */
const RANGES = [
  ["7 days", "7d"],
  ["30 days", "30d"],
  ["90 days", "90d"],
  ["a year", "365d"],
] as const;

export interface ActivityView {
  frame: PageFrame;
  /** The range and grouping as asked, for the form. */
  asked: { since: string; until: string; by: "day" | "week" };
  stats: ActivityStats | undefined;
  problem?: string | undefined;
}

const time = (seconds: number | null) => (seconds === null ? "" : shortSeconds(seconds));

export function ActivityPage({ frame, asked, stats, problem }: ActivityView) {
  return (
    <Layout {...frame} still={true}>
      <h1>Activity</h1>
      {problem && (
        <p class="banner problem" role="alert">
          {problem}
        </p>
      )}
      <form class="filters" method="get" action="/activity">
        <label>
          since
          <input name="since" value={asked.since} size={12} placeholder="30d or 2026-05-01" />
        </label>
        <label>
          until
          <input name="until" value={asked.until} size={12} placeholder="now" />
        </label>
        <label>
          per
          <select name="by">
            <option value="day" selected={asked.by === "day"}>
              day
            </option>
            <option value="week" selected={asked.by === "week"}>
              week
            </option>
          </select>
        </label>
        <button type="submit">Show</button>
        <span class="ranges">
          {RANGES.map(([label, since]) => (
            <a href={`/activity?${new URLSearchParams({ since, by: asked.by })}`}>{label}</a>
          ))}
        </span>
      </form>
      {stats && (
        <>
          <p>
            <b data-count="stats-total">{stats.tasks.total}</b> tasks submitted
            {stats.since ? ` since ${stats.since.slice(0, 16).replace("T", " ")}` : ""}
            {stats.until ? ` before ${stats.until.slice(0, 16).replace("T", " ")}` : ""}, archived ones included;{" "}
            turnaround over {stats.turnaround.finished} finished: median {time(stats.turnaround.p50_s)}, p90{" "}
            {time(stats.turnaround.p90_s)}.
          </p>
          <h2>Tasks per {stats.by}</h2>
          <p class="legend">
            {TASK_STATUSES.map((status) => (
              <span>
                <i style={`background:${STATUS_COLOURS[status]}`} /> {status}
              </span>
            ))}
          </p>
          <PeriodsChart stats={stats} />
          <h2>Success rate per backend</h2>
          <SuccessChart backends={stats.backends} />
          <h2>Turnaround</h2>
          <TurnaroundChart turnaround={stats.turnaround} />
          <div class="scroll">
            <table data-table="backends">
              <thead>
                <tr>
                  <th>backend</th>
                  <th>tasks</th>
                  <th>success</th>
                  <th>failed</th>
                  <th>success rate</th>
                  <th>shots</th>
                  <th>turnaround p50</th>
                  <th>p90</th>
                </tr>
              </thead>
              <tbody>
                {stats.backends.map((backend) => (
                  <tr>
                    <td>
                      <a href={`/tasks?${new URLSearchParams({ backend: backend.backend })}`}>{backend.backend}</a>
                    </td>
                    <td>{backend.tasks.total}</td>
                    <td>{backend.tasks.success}</td>
                    <td>{backend.tasks.failed}</td>
                    <td>{backend.success_rate === null ? "" : `${(100 * backend.success_rate).toFixed(1)} %`}</td>
                    <td>{backend.shots}</td>
                    <td>{time(backend.turnaround.p50_s)}</td>
                    <td>{time(backend.turnaround.p90_s)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </Layout>
  );
}
