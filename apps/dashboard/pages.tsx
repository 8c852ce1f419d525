/** The dashboard's pages, rendered on the server with hono/jsx. */
import { raw } from "hono/html";
import type {
  Comparison,
  ConflictingVersion,
  StatusCounts,
  Task,
  TaskAnalysis,
  TaskShard,
  TaskSummary,
} from "../../core/index.ts";
import { TASK_STATUSES, errorTextOf } from "../../core/index.ts";
import { histogramSvg, outcomesOf } from "../../core/quantum/drawing/index.ts";
import { DistributionChart, SERIES_COLOURS } from "./charts.tsx";
import { Layout, type PageFrame } from "./layout.tsx";

export const PAGE_SIZES = [25, 50, 100, 200] as const;

const Status = ({ status }: { status: string }) => <span class={`status status-${status}`}>{status}</span>;
const taskHref = (task: { task_id: string }) => `/tasks/${encodeURIComponent(task.task_id)}`;

export function OverviewPage(props: {
  frame: PageFrame;
  counts: StatusCounts;
  archived: number;
  backends: { backend: string; n: number }[];
  recent: TaskSummary[];
}) {
  return (
    <Layout {...props.frame}>
      <h1>Overview</h1>
      <section class="cards" aria-label="Active tasks by status">
        <a class="card" href="/tasks">
          <span>active</span>
          <b>{props.counts.total}</b>
        </a>
        {TASK_STATUSES.map((status) => (
          <a class="card" href={`/tasks?status=${status}`}>
            <span>{status}</span>
            <b data-count={status}>{props.counts[status]}</b>
          </a>
        ))}
        <a class="card" href="/archive">
          <span>archived</span>
          <b>{props.archived}</b>
        </a>
      </section>
      <h2>By backend</h2>
      <div class="scroll">
        <table>
          <thead>
            <tr>
              <th>backend</th>
              <th>active tasks</th>
            </tr>
          </thead>
          <tbody>
            {props.backends.map(({ backend, n }) => (
              <tr>
                <td>
                  <a href={`/tasks?backend=${encodeURIComponent(backend)}`}>{backend}</a>
                </td>
                <td>{n}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>Recent tasks</h2>
      <TaskTable tasks={props.recent} selectable={false} />
    </Layout>
  );
}

function TaskTable(props: { tasks: TaskSummary[]; selectable: boolean; disabled?: boolean }) {
  if (props.tasks.length === 0) return <p>No tasks here.</p>;
  return (
    <div class="scroll">
      <table>
        <thead>
          <tr>
            {props.selectable && (
              <th>
                <span class="visually-hidden">select</span>
              </th>
            )}
            <th>task</th>
            <th>status</th>
            <th>backend</th>
            <th class="optional">shots</th>
            <th>submitted</th>
            <th class="optional">{props.tasks.some((t) => t.archived_at) ? "archived" : "updated"}</th>
          </tr>
        </thead>
        <tbody>
          {props.tasks.map((task) => (
            <tr data-task-id={task.task_id}>
              {props.selectable && (
                <td>
                  <input
                    type="checkbox"
                    name="task_ids"
                    value={task.task_id}
                    aria-label={`select ${task.task_id}`}
                    disabled={props.disabled}
                  />
                </td>
              )}
              <td>
                <a href={taskHref(task)}>{task.task_id}</a>
                {task.has_conflicts && <ConflictMark />}
              </td>
              <td>
                <Status status={task.status} />
              </td>
              <td>{task.backend}</td>
              <td class="optional">{task.shots}</td>
              <td>{task.submit_time.slice(0, 19).replace("T", " ")}</td>
              <td class="optional">{(task.archived_at ?? task.update_time).slice(0, 19).replace("T", " ")}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export interface ListView {
  frame: PageFrame;
  listing: "tasks" | "archive";
  tasks: TaskSummary[];
  total: number;
  filter: {
    status?: string | undefined;
    backend?: string | undefined;
    search?: string | undefined;
    since?: string | undefined;
    until?: string | undefined;
  };
  limit: number;
  backends: string[];
  /** Links to the previous and next pages, when there are any. */
  previous: string | undefined;
  next: string | undefined;
  /** Where the form sends people back to. */
  here: string;
  notice: string | undefined;
  /** What was wrong with the filters, when they could not be used. */
  problem?: string | undefined;
}

/** A listing's filter as the query of its pages and forms. */
export function matchingQuery(filter: ListView["filter"]): Record<string, string> {
  const { status, backend, search: q, since, until } = filter;
  return Object.fromEntries(
    Object.entries({ status, backend, q, since, until }).filter(([, value]) => value),
  ) as Record<string, string>;
}

export function ListPage(view: ListView) {
  const readOnly = view.frame.readOnlyReason !== undefined;
  const base = view.listing === "tasks" ? "/tasks" : "/archive";
  return (
    <Layout {...view.frame}>
      <h1>{view.listing === "tasks" ? "Tasks" : "Archive"}</h1>
      {view.notice && (
        <p class="banner" role="status">
          {view.notice}
        </p>
      )}
      {view.problem && (
        <p class="banner problem" role="alert">
          {view.problem}
        </p>
      )}
      <form class="filters" method="get" action={base}>
        <label>
          search
          <input
            type="search"
            name="q"
            value={view.filter.search ?? ""}
            maxlength={200}
            placeholder="id, circuit, note, error…"
          />
        </label>
        <label>
          since
          <input name="since" value={view.filter.since ?? ""} size={12} placeholder="2d or 2026-05-01" />
        </label>
        <label>
          until
          <input name="until" value={view.filter.until ?? ""} size={12} placeholder="36h or a date" />
        </label>
        <label>
          status
          <select name="status">
            <option value="">any</option>
            {TASK_STATUSES.map((status) => (
              <option value={status} selected={status === view.filter.status}>
                {status}
              </option>
            ))}
          </select>
        </label>
        <label>
          backend
          <select name="backend">
            <option value="">any</option>
            {view.backends.map((backend) => (
              <option value={backend} selected={backend === view.filter.backend}>
                {backend}
              </option>
            ))}
          </select>
        </label>
        <label>
          per page
          <select name="limit">
            {PAGE_SIZES.map((size) => (
              <option value={String(size)} selected={size === view.limit}>
                {size}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Show</button>
      </form>
      <p class="matching">
        {view.total} {view.listing === "tasks" ? "active" : "archived"} tasks match.
        {!readOnly &&
          view.total > 0 &&
          !view.problem &&
          Object.entries(MATCHING_ACTIONS[view.listing]).map(([action, verb]) => (
            <a href={`/ui/${view.listing}/matching?${new URLSearchParams({ action, ...matchingQuery(view.filter) })}`}>
              {verb} all {view.total}…
            </a>
          ))}
      </p>
      <form method="post" action={`/ui${base}/bulk`}>
        <input type="hidden" name="return_to" value={view.here} />
        <div class="actions">
          {view.listing === "tasks" ? (
            <>
              <button type="submit" name="action" value="archive" disabled={readOnly}>
                Archive selected
              </button>
              <button type="submit" name="action" value="delete" class="danger" disabled={readOnly}>
                Delete selected
              </button>
              {/* The rows cannot be ticked on a file that may only be read; /compare?ids= still answers. */}
              <button type="submit" name="action" value="compare" disabled={readOnly}>
                Compare selected
              </button>
              <a href="/ui/tasks/archive-expired">Archive finished tasks older than 72 h…</a>
            </>
          ) : (
            <>
              <button type="submit" name="action" value="restore" disabled={readOnly}>
                Restore selected
              </button>
              <button type="submit" name="action" value="delete" class="danger" disabled={readOnly}>
                Delete selected for good
              </button>
              {/* The rows cannot be ticked on a file that may only be read; /compare?ids= still answers. */}
              <button type="submit" name="action" value="compare" disabled={readOnly}>
                Compare selected
              </button>
            </>
          )}
        </div>
        <TaskTable tasks={view.tasks} selectable={true} disabled={readOnly} />
      </form>
      <nav class="paging" aria-label="Pages">
        {view.previous ? (
          <a href={view.previous} rel="prev">
            ← first page
          </a>
        ) : (
          <span />
        )}
        {view.next ? (
          <a href={view.next} rel="next">
            next page →
          </a>
        ) : (
          <span />
        )}
      </nav>
    </Layout>
  );
}

/** What acting on everything a listing matches does, per listing. */
export const MATCHING_ACTIONS = {
  tasks: { archive: "Archive", delete: "Delete for good" },
  archive: { restore: "Restore", delete: "Delete for good" },
} as const;

export type MatchingAction = "archive" | "restore" | "delete";

/** The filter in words, for a person about to act on what it matches. */
function describeFilter(filter: ListView["filter"]): string {
  const parts = [
    filter.status && `status ${filter.status}`,
    filter.backend && `backend ${filter.backend}`,
    filter.search && `containing “${filter.search}”`,
    filter.since && `submitted since ${filter.since}`,
    filter.until && `submitted before ${filter.until}`,
  ].filter(Boolean);
  return parts.length ? parts.join(", ") : "no filter: every task";
}

export function ConfirmMatchingPage(props: {
  frame: PageFrame;
  listing: "tasks" | "archive";
  action: MatchingAction;
  filter: ListView["filter"];
  count: number;
  /** The listing to go back to. */
  back: string;
}) {
  const readOnly = props.frame.readOnlyReason !== undefined;
  const verb = (MATCHING_ACTIONS[props.listing] as Record<string, string>)[props.action]!;
  const which = props.listing === "tasks" ? "active" : "archived";
  const { status, backend, search, since, until } = props.filter;
  return (
    <Layout {...props.frame}>
      <h1>
        {verb} every {which} task that matches
      </h1>
      <p>
        <b data-count="matching">{props.count}</b> {which} tasks match ({describeFilter(props.filter)}).
        {props.action === "delete" ? " They will be gone for good." : ""} They move in transactions of a thousand, so
        other writers never wait long.
      </p>
      <form method="post" action={`/ui/${props.listing}/matching`} class="actions">
        <input type="hidden" name="action" value={props.action} />
        {Object.entries({ status, backend, q: search, since, until }).map(
          ([name, value]) => value && <input type="hidden" name={name} value={value} />,
        )}
        <input type="hidden" name="return_to" value={props.back} />
        <button
          type="submit"
          class={props.action === "delete" ? "danger" : undefined}
          disabled={readOnly || props.count === 0}
        >
          {verb} {props.count} tasks
        </button>
        <a href={props.back}>Cancel</a>
      </form>
    </Layout>
  );
}

export function ConfirmExpiredPage(props: { frame: PageFrame; count: number; hours: number }) {
  const readOnly = props.frame.readOnlyReason !== undefined;
  return (
    <Layout {...props.frame}>
      <h1>Archive finished tasks</h1>
      <p>
        <b data-count="expired">{props.count}</b> finished tasks (success, failed or cancelled) were submitted more than{" "}
        {props.hours} hours ago and would move to the archive. Pending and running tasks stay.
      </p>
      <form method="post" action="/ui/tasks/archive-expired" class="actions">
        <input type="hidden" name="hours" value={String(props.hours)} />
        <button type="submit" disabled={readOnly || props.count === 0}>
          Archive {props.count} tasks
        </button>
        <a href="/tasks">Cancel</a>
      </form>
    </Layout>
  );
}

/** The legend of a distribution chart. */
function SeriesLegend(props: { labels: string[]; firstColour?: number }) {
  return (
    <p class="legend">
      {props.labels.map((label, k) => (
        <span>
          <i style={`background:${SERIES_COLOURS[(k + (props.firstColour ?? 0)) % SERIES_COLOURS.length]}`} /> {label}
        </span>
      ))}
    </p>
  );
}

function IdealAndMeasured({ analysis }: { analysis: TaskAnalysis }) {
  if (!analysis.ideal) return <p data-analysis="none">No ideal distribution: {analysis.not_simulated}.</p>;
  const series = [
    { label: "ideal", distribution: analysis.ideal },
    ...(analysis.measured ? [{ label: "measured", distribution: analysis.measured }] : []),
  ];
  return (
    <>
      <p data-analysis="figures">
        {analysis.tvd === null ? (
          "No measured outcomes yet: the ideal alone."
        ) : (
          <>
            Total variation distance <b data-figure="tvd">{analysis.tvd.toFixed(4)}</b>, Hellinger fidelity{" "}
            <b data-figure="fidelity">{analysis.hellinger_fidelity!.toFixed(4)}</b>
            {analysis.shots ? ` over ${analysis.shots} shots` : ""}.
          </>
        )}{" "}
        Simulated from the {analysis.circuit!.format} circuit ({analysis.circuit!.qubits} qubits).
      </p>
      <SeriesLegend labels={series.map((s) => s.label)} />
      <DistributionChart series={series} id="analysis" />
    </>
  );
}

export function ComparePage(props: { frame: PageFrame; comparison: Comparison }) {
  const { tasks, tvd } = props.comparison;
  const withResults = tasks.filter((task) => task.measured);
  return (
    <Layout {...props.frame}>
      <h1>Compare {tasks.length} tasks</h1>
      <SeriesLegend labels={withResults.map((task) => `${task.task_id} (${task.backend})`)} firstColour={1} />
      {withResults.length > 0 ? (
        <DistributionChart
          series={withResults.map((task) => ({ label: task.task_id, distribution: task.measured! }))}
          id="compare"
          firstColour={1}
        />
      ) : (
        <p>None of these tasks has a result yet.</p>
      )}
      <h2>Total variation distance between each pair</h2>
      <div class="scroll">
        <table data-table="tvd">
          <thead>
            <tr>
              <th />
              {tasks.map((task) => (
                <th>{task.task_id}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {tasks.map((task, i) => (
              <tr>
                <th>
                  <a href={taskHref(task)}>{task.task_id}</a>
                </th>
                {tvd[i]!.map((d) => (
                  <td>{d === null ? "no result" : d.toFixed(4)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Layout>
  );
}

/** Beside a task whose machines disagreed: the versions that lost are on its page. */
function ConflictMark() {
  return (
    <span class="conflict" title="Machines disagreed on this task: the versions that lost are on its page">
      disagreed
    </span>
  );
}

/** The version a task shows beside the ones that lost to it, a column each, as each machine wrote it. */
function Disagreement(props: { task: Task; conflicts: ConflictingVersion[] }) {
  const columns = [
    { heading: "shown", place: props.task.archived_at ? "archived" : "active", task: props.task as Task | null },
    ...props.conflicts.map((version) => ({
      heading: `${version.replica_id ?? "an older build"}, ${version.clock.slice(0, 19).replace("T", " ")}`,
      place: version.place,
      task: version.task,
    })),
  ];
  const rows: [string, (task: Task) => string][] = [
    ["status", (task) => task.status],
    ["result", (task) => (task.result === null ? "none" : JSON.stringify(task.result))],
    ["error", (task) => errorTextOf(task) ?? ""],
    ["metadata", (task) => JSON.stringify(task.metadata)],
    ["updated", (task) => task.update_time],
  ];
  return (
    <section aria-labelledby="disagreed">
      <h2 id="disagreed">Machines disagreed</h2>
      <p>
        These versions were made without seeing each other; the task shows the first. The others stay here until a save
        made after seeing them.
      </p>
      <div class="scroll">
        <table class="versions">
          <thead>
            <tr>
              <th>
                <span class="visually-hidden">field</span>
              </th>
              {columns.map((column) => (
                <th>{column.heading}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            <tr>
              <th>place</th>
              {columns.map((column) => (
                <td>{column.place === "deleted" ? "deleted" : column.place}</td>
              ))}
            </tr>
            {rows.map(([name, value]) => (
              <tr>
                <th>{name}</th>
                {columns.map((column) => (
                  <td>{column.task ? value(column.task) : ""}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export function TaskPage(props: {
  frame: PageFrame;
  task: Task;
  conflicts: ConflictingVersion[];
  shards: TaskShard[];
  tab: "source" | "compiled" | "executed";
  circuit: string;
  analysis: TaskAnalysis;
}) {
  const { task } = props;
  const outcomes = outcomesOf(task.result);
  const error = errorTextOf(task);
  const readOnly = props.frame.readOnlyReason !== undefined;
  const archived = task.archived_at !== undefined;
  const here = taskHref(task);
  return (
    <Layout {...props.frame}>
      <h1>{task.task_id}</h1>
      <dl>
        <dt>status</dt>
        <dd>
          <Status status={task.status} />
        </dd>
        <dt>backend</dt>
        <dd>{task.backend}</dd>
        <dt>shots</dt>
        <dd>{task.shots}</dd>
        <dt>submitted</dt>
        <dd>{task.submit_time}</dd>
        <dt>updated</dt>
        <dd>{task.update_time}</dd>
        {archived && (
          <>
            <dt>archived</dt>
            <dd>{task.archived_at}</dd>
          </>
        )}
        {error && (
          <>
            <dt>error</dt>
            <dd class="error">{error}</dd>
          </>
        )}
      </dl>
      {props.conflicts.length > 0 && <Disagreement task={task} conflicts={props.conflicts} />}
      <form method="post" action={`/ui${archived ? "/archive" : "/tasks"}/bulk`} class="actions">
        <input type="hidden" name="task_ids" value={task.task_id} />
        <input type="hidden" name="return_to" value={archived ? "/archive" : "/tasks"} />
        {archived ? (
          <button type="submit" name="action" value="restore" disabled={readOnly}>
            Restore
          </button>
        ) : (
          <button type="submit" name="action" value="archive" disabled={readOnly}>
            Archive
          </button>
        )}
        <button type="submit" name="action" value="delete" class="danger" disabled={readOnly}>
          Delete
        </button>
      </form>
      {props.shards.length > 0 && (
        <>
          <h2>Shards</h2>
          <div class="scroll">
            <table>
              <thead>
                <tr>
                  <th>#</th>
                  <th>platform job</th>
                  <th>status</th>
                  <th>circuits</th>
                  <th>updated</th>
                  <th>error</th>
                </tr>
              </thead>
              <tbody>
                {props.shards.map((shard) => (
                  <tr>
                    <td>{shard.shard_index}</td>
                    <td>{shard.platform_task_id}</td>
                    <td>
                      <Status status={shard.status} />
                    </td>
                    <td>{shard.circuit_count}</td>
                    <td>{shard.update_time}</td>
                    <td>{shard.error_message ?? ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      <h2>Result</h2>
      {outcomes ? (
        <div class="scroll">{raw(histogramSvg(outcomes))}</div>
      ) : (
        <p>{task.result === null ? "No result yet." : "The result holds no outcome counts."}</p>
      )}
      <h2>Ideal and measured</h2>
      <IdealAndMeasured analysis={props.analysis} />
      {task.result !== null && (
        <details>
          <summary>Result as JSON</summary>
          <pre>{JSON.stringify(task.result, null, 2)}</pre>
        </details>
      )}
      <h2>Circuit</h2>
      <div class="tabs" role="tablist">
        {(["source", "compiled", "executed"] as const).map((tab) => (
          <a role="tab" href={`${here}?circuit=${tab}`} aria-selected={tab === props.tab ? "true" : "false"}>
            {tab}
          </a>
        ))}
      </div>
      <div class="scroll" role="tabpanel">
        {raw(props.circuit)}
      </div>
      <h2>Metadata</h2>
      <pre>{JSON.stringify(task.metadata, null, 2)}</pre>
    </Layout>
  );
}

export function NotFoundPage(props: { frame: PageFrame; what: string }) {
  return (
    <Layout {...props.frame}>
      <h1>Not found</h1>
      <p>{props.what}</p>
    </Layout>
  );
}
