/**
 * The dashboard's routes: pages at `/`, `/tasks`, `/archive` and `/tasks/{id}`, and the forms'
 * actions under `/ui`, which answer with a redirect back (post, redirect, get), so every page
 * works without a script. The state of a listing is in its URL.
 */
import { Hono, type Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import * as v from "valibot";
import {
  CIRCUIT_FORMATS,
  InvalidInputError,
  isCacheError,
  TASK_STATUSES,
  parseInput,
  type TaskCache,
  type TaskStatus,
} from "../../core/index.ts";
import { circuitFragment } from "../http/circuit-fragment.ts";
import { decodeCursor, nextCursor, type CursorScope } from "../http/cursor.ts";
import { ActivityPage } from "./activity.tsx";
import { LIVE_SCRIPT, STYLE } from "./assets.ts";
import type { PageFrame } from "./layout.tsx";
import {
  ComparePage,
  ConfirmExpiredPage,
  ConfirmMatchingPage,
  ListPage,
  MATCHING_ACTIONS,
  NotFoundPage,
  OverviewPage,
  PAGE_SIZES,
  TaskPage,
  matchingQuery,
} from "./pages.tsx";
import { LoginPage } from "./login.tsx";
import { sameToken } from "../http/token.ts";

/** The cookie that carries the token for a person who entered it. */
export const TOKEN_COOKIE = "uniqc_token";

/** The filter of a listing as its URL and forms carry it; an empty box is no filter, and the cache checks the rest. */
const FilterFields = {
  status: v.optional(v.union([v.literal(""), v.picklist(TASK_STATUSES, "must be a task status")]), ""),
  backend: v.optional(v.pipe(v.string(), v.maxLength(200)), ""),
  q: v.optional(v.string(), ""),
  since: v.optional(v.string(), ""),
  until: v.optional(v.string(), ""),
};

const filterOf = (fields: { status: string; backend: string; q: string; since: string; until: string }) => {
  const given = (text: string) => text.trim() || undefined;
  return {
    status: (fields.status || undefined) as TaskStatus | undefined,
    backend: given(fields.backend),
    search: given(fields.q),
    since: given(fields.since),
    until: given(fields.until),
  };
};

const ActivityQuery = v.object({
  // The last 30 days unless asked otherwise; an empty box is no bound.
  since: v.optional(v.string(), "30d"),
  until: v.optional(v.string(), ""),
  by: v.optional(v.picklist(["day", "week"], "must be day or week"), "day"),
});

const ListPageQuery = v.object({
  ...FilterFields,
  limit: v.optional(
    v.pipe(v.string(), v.transform(Number), v.picklist(PAGE_SIZES, `must be one of ${PAGE_SIZES.join(", ")}`)),
    "50",
  ),
  cursor: v.optional(v.pipe(v.string(), v.maxLength(2048))),
  notice: v.optional(v.pipe(v.string(), v.maxLength(200))),
});

const BulkForm = v.object({
  action: v.picklist(["archive", "restore", "delete", "compare"], "must be archive, restore, delete or compare"),
  task_ids: v.pipe(
    v.union([v.string(), v.array(v.string())]),
    v.transform((ids) => (Array.isArray(ids) ? ids : [ids])),
    v.minLength(1, "select at least one task"),
  ),
  // Only paths of this site: a form must not send anyone elsewhere.
  return_to: v.optional(v.pipe(v.string(), v.regex(/^\/(?!\/)[^\s]*$/, "must be a path of this site")), "/tasks"),
});

const MatchingForm = v.object({
  ...FilterFields,
  action: v.picklist(["archive", "restore", "delete"], "must be archive, restore or delete"),
  return_to: v.optional(v.pipe(v.string(), v.regex(/^\/(?!\/)[^\s]*$/, "must be a path of this site")), "/tasks"),
});

const ExpiredForm = v.object({
  hours: v.optional(v.pipe(v.string(), v.transform(Number), v.number(), v.minValue(0)), "72"),
});

/**
 * Runs `op` on each id and counts those it did: an id restored or deleted elsewhere meanwhile,
 * or live under the same id, is the person's stale view, and the notice says how many moved.
 */
async function eachCounted(ids: readonly string[], op: (id: string) => Promise<void>): Promise<number> {
  let done = 0;
  for (const id of ids) {
    try {
      await op(id);
      done++;
    } catch (error) {
      // A file that may only be read refuses them all: that is said as it is.
      if (!isCacheError(error) || error.code === "read_only") throw error;
    }
  }
  return done;
}

/** Appends a notice for the page a form sends people back to. */
const withNotice = (path: string, notice: string) =>
  `${path}${path.includes("?") ? "&" : "?"}notice=${encodeURIComponent(notice)}`;

export function dashboardRoutes(cache: TaskCache, options: { token?: string | undefined }) {
  const app = new Hono();
  const frame = (title: string, section: PageFrame["section"]): PageFrame => ({
    title,
    section,
    readOnlyReason: cache.info.readOnlyReason,
  });

  app.get("/ui/style.css", (c) =>
    c.body(STYLE, 200, { "content-type": "text/css; charset=utf-8", "cache-control": "max-age=300" }),
  );
  app.get("/ui/live.js", (c) =>
    c.body(LIVE_SCRIPT, 200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "max-age=300" }),
  );

  if (options.token) {
    const token = options.token;
    app.get("/ui/login", (c) => c.html(<LoginPage failed={false} />));
    app.post("/ui/login", async (c) => {
      const form = await c.req.parseBody();
      const given = typeof form.token === "string" ? form.token : "";
      if (!(await sameToken(given, token))) return c.html(<LoginPage failed={true} />, 401);
      // Strict: the cookie never goes with a request another site starts.
      setCookie(c, TOKEN_COOKIE, given, { httpOnly: true, sameSite: "Strict", path: "/" });
      return c.redirect("/", 303);
    });
    app.use("*", async (c, next) => {
      // The API keeps its own bearer check; the assets and the login page hold nothing.
      if (c.req.path.startsWith("/api/") || ["/ui/style.css", "/ui/live.js", "/ui/login"].includes(c.req.path))
        return next();
      if (await sameToken(getCookie(c, TOKEN_COOKIE), token)) return next();
      return c.redirect("/ui/login", 303);
    });
  }

  // Forms post here only from this site's own pages.
  app.use("/ui/*", async (c, next) => {
    const origin = c.req.header("origin");
    if (c.req.method === "POST" && origin && origin !== new URL(c.req.url).origin) {
      return c.html(
        <NotFoundPage frame={frame("Refused", "overview")} what="This form came from another site." />,
        403,
      );
    }
    await next();
  });

  app.get("/", async (c) => {
    const [counts, archived, backends, recent] = await Promise.all([
      cache.counts(),
      cache.countArchived(),
      cache.backendCounts(),
      cache.list({ limit: 10 }),
    ]);
    return c.html(
      <OverviewPage
        frame={frame("Overview", "overview")}
        counts={counts}
        archived={archived}
        backends={backends}
        recent={recent.tasks}
      />,
    );
  });

  const listing = (kind: "tasks" | "archive") => async (c: Context) => {
    const query = parseInput(ListPageQuery, c.req.query());
    const filter = filterOf(query);
    const scope: CursorScope = { listing: kind, ...filter };
    const base = kind === "tasks" ? "/tasks" : "/archive";
    const params = (extra: Record<string, string> = {}) =>
      `${base}?${new URLSearchParams({ ...matchingQuery(filter), limit: String(query.limit), ...extra })}`;
    const backends = await cache.backendCounts();
    const view = {
      frame: frame(kind === "tasks" ? "Tasks" : "Archive", kind),
      listing: kind,
      filter,
      limit: query.limit,
      backends: backends.map((b) => b.backend),
      notice: query.notice,
    };
    let page: Awaited<ReturnType<TaskCache["list"]>>;
    try {
      const after = query.cursor ? decodeCursor(query.cursor, scope) : undefined;
      const options = { ...filter, limit: query.limit, after };
      page = kind === "tasks" ? await cache.list(options) : await cache.listArchived(options);
    } catch (error) {
      // A filter a person typed wrong is said on the page, beside the boxes to mend it.
      if (!(error instanceof InvalidInputError)) throw error;
      return c.html(
        <ListPage
          {...view}
          tasks={[]}
          total={0}
          previous={undefined}
          next={undefined}
          here={params()}
          problem={error.message}
        />,
        400,
      );
    }
    const cursor = nextCursor(page.tasks.length, query.limit, page.tasks.at(-1), scope);
    return c.html(
      <ListPage
        {...view}
        tasks={page.tasks}
        total={page.total}
        previous={query.cursor ? params() : undefined}
        next={cursor ? params({ cursor }) : undefined}
        here={query.cursor ? params({ cursor: query.cursor }) : params()}
      />,
    );
  };
  app.get("/compare", async (c) => {
    const ids = (c.req.query("ids") ?? "").split(",").filter(Boolean);
    const comparison = await cache.compare(ids);
    return c.html(<ComparePage frame={frame("Compare", "tasks")} comparison={comparison} />);
  });

  app.get("/activity", async (c) => {
    const asked = parseInput(ActivityQuery, c.req.query());
    const given = (text: string) => text.trim() || undefined;
    const view = { frame: frame("Activity", "activity"), asked };
    try {
      const stats = await cache.stats({ since: given(asked.since), until: given(asked.until), by: asked.by });
      return c.html(<ActivityPage {...view} stats={stats} />);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return c.html(<ActivityPage {...view} stats={undefined} problem={error.message} />, 400);
    }
  });

  app.get("/tasks", listing("tasks"));
  app.get("/archive", listing("archive"));

  app.get("/tasks/:id", async (c) => {
    const id = c.req.param("id");
    const task = (await cache.get(id)) ?? (await cache.getArchived(id));
    if (!task)
      return c.html(<NotFoundPage frame={frame("Not found", "tasks")} what={`There is no task ${id}.`} />, 404);
    const requested = c.req.query("circuit");
    const tab = (CIRCUIT_FORMATS as readonly string[]).includes(requested ?? "")
      ? (requested as (typeof CIRCUIT_FORMATS)[number])
      : "source";
    const [view, shards, analysis, conflicts] = await Promise.all([
      cache.getCircuit(id, tab),
      cache.shards(id),
      cache.analyse(id),
      task.has_conflicts ? cache.conflicts(id) : undefined,
    ]);
    return c.html(
      <TaskPage
        frame={frame(id, task.archived_at ? "archive" : "tasks")}
        task={task}
        conflicts={conflicts?.conflicts ?? []}
        shards={shards?.shards ?? []}
        tab={tab}
        circuit={circuitFragment(view)}
        analysis={analysis}
      />,
    );
  });

  app.get("/ui/tasks/archive-expired", async (c) => {
    const hours = 72;
    return c.html(
      <ConfirmExpiredPage
        frame={frame("Archive finished tasks", "tasks")}
        count={await cache.countExpired({ hours })}
        hours={hours}
      />,
    );
  });
  app.post("/ui/tasks/archive-expired", async (c) => {
    const { hours } = parseInput(ExpiredForm, await c.req.parseBody());
    const { archived } = await cache.archiveExpired({ hours });
    return c.redirect(
      withNotice("/tasks", `Archived ${archived.length} finished tasks older than ${hours} hours.`),
      303,
    );
  });

  const bulk = (kind: "tasks" | "archive") => async (c: Context) => {
    const form = parseInput(BulkForm, await c.req.parseBody({ all: true }));
    const ids = form.task_ids;
    // Comparing moves nothing: it is a page of its own.
    if (form.action === "compare") return c.redirect(`/compare?${new URLSearchParams({ ids: ids.join(",") })}`, 303);
    let done: string;
    if (kind === "tasks" && form.action === "archive")
      done = `Archived ${(await cache.bulkArchive(ids)).archived.length} tasks.`;
    else if (kind === "tasks" && form.action === "delete")
      done = `Deleted ${(await cache.bulkDelete(ids)).deleted.length} tasks.`;
    else if (kind === "archive" && form.action === "restore")
      done = `Restored ${await eachCounted(ids, cache.restore)} of ${ids.length} tasks.`;
    else if (kind === "archive" && form.action === "delete") {
      done = `Deleted ${await eachCounted(ids, cache.deleteArchived)} of ${ids.length} archived tasks for good.`;
    } else
      throw new InvalidInputError([
        { path: "action", message: `cannot ${form.action} in the ${kind === "tasks" ? "task list" : "archive"}` },
      ]);
    return c.redirect(withNotice(form.return_to, done), 303);
  };
  /** Acting on everything a listing matches: a page that says how many first, then the move. */
  const matching = (kind: "tasks" | "archive") => {
    const allowed = (action: string) => {
      if (!(action in MATCHING_ACTIONS[kind]))
        throw new InvalidInputError([
          { path: "action", message: `cannot ${action} in the ${kind === "tasks" ? "task list" : "archive"}` },
        ]);
    };
    app.get(`/ui/${kind}/matching`, async (c) => {
      const form = parseInput(MatchingForm, c.req.query());
      allowed(form.action);
      const filter = filterOf(form);
      const count = kind === "tasks" ? await cache.count(filter) : await cache.countArchived(filter);
      const back = `/${kind}?${new URLSearchParams(matchingQuery(filter))}`;
      return c.html(
        <ConfirmMatchingPage
          frame={frame(kind === "tasks" ? "Tasks" : "Archive", kind)}
          listing={kind}
          action={form.action}
          filter={filter}
          count={count}
          back={back}
        />,
      );
    });
    app.post(`/ui/${kind}/matching`, async (c) => {
      const form = parseInput(MatchingForm, await c.req.parseBody());
      allowed(form.action);
      // The person saw the count and the filter in words, however wide, and confirmed.
      const filter = { ...filterOf(form), all: true };
      let done: string;
      if (kind === "tasks" && form.action === "archive")
        done = `Archived ${(await cache.archiveMatching(filter)).count} tasks.`;
      else if (kind === "tasks") done = `Deleted ${(await cache.deleteMatching(filter)).count} tasks.`;
      else if (form.action === "restore") {
        const { count, conflicts } = await cache.restoreMatching(filter);
        done = `Restored ${count} tasks.${conflicts.length ? ` ${conflicts.length} stay archived: a task is live under the same id.` : ""}`;
      } else done = `Deleted ${(await cache.deleteArchivedMatching(filter)).count} archived tasks for good.`;
      return c.redirect(withNotice(form.return_to, done), 303);
    });
  };
  matching("tasks");
  matching("archive");

  app.post("/ui/tasks/bulk", bulk("tasks"));
  app.post("/ui/archive/bulk", bulk("archive"));

  return app;
}
