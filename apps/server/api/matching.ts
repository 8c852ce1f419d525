/**
 * The routes that act on every task a filter matches: the listing's filters in the query, a dry
 * run that only counts (what a confirmation shows first), and `all=true` where the filter names
 * nothing.
 */
import * as v from "valibot";
import { Hono } from "hono";
import { MatchedResultSchema, RestoredMatchingSchema, type TaskCache } from "../../../core/index.ts";
import { describe, validate } from "./describe.ts";
import { fromWire } from "../../http/wire-names.ts";
import { MatchQuery } from "./requests.ts";

const dryRun = { dry_run: v.boolean() };
const MatchingAnswer = v.object({ ...MatchedResultSchema.entries, ...dryRun });
const RestoreMatchingAnswer = v.object({ ...RestoredMatchingSchema.entries, ...dryRun });

const PROBLEMS = [400, 409] as const;

export const matchingRoutes = (cache: TaskCache) =>
  new Hono()
    .post(
      "/api/tasks/archive-matching",
      describe({
        summary: "Archive every active task the filter matches, in short transactions; with dry_run, count them",
        tag: "archive",
        answer: MatchingAnswer,
        problems: PROBLEMS,
      }),
      validate("query", MatchQuery),
      async (c) => {
        const match = fromWire(c.req.valid("query"));
        return c.json({ ...(await cache.archiveMatching(match)), dry_run: match.dryRun }, 200);
      },
    )
    .post(
      "/api/tasks/delete-matching",
      describe({
        summary: "Delete every active task the filter matches, in short transactions; with dry_run, count them",
        tag: "tasks",
        answer: MatchingAnswer,
        problems: PROBLEMS,
      }),
      validate("query", MatchQuery),
      async (c) => {
        const match = fromWire(c.req.valid("query"));
        return c.json({ ...(await cache.deleteMatching(match)), dry_run: match.dryRun }, 200);
      },
    )
    .post(
      "/api/archive/restore-matching",
      describe({
        summary: "Restore every archived task the filter matches, in short transactions; with dry_run, count them",
        tag: "archive",
        answer: RestoreMatchingAnswer,
        problems: PROBLEMS,
      }),
      validate("query", MatchQuery),
      async (c) => {
        const match = fromWire(c.req.valid("query"));
        return c.json({ ...(await cache.restoreMatching(match)), dry_run: match.dryRun }, 200);
      },
    )
    .post(
      "/api/archive/delete-matching",
      describe({
        summary: "Delete for good every archived task the filter matches; with dry_run, count them",
        tag: "archive",
        answer: MatchingAnswer,
        problems: PROBLEMS,
      }),
      validate("query", MatchQuery),
      async (c) => {
        const match = fromWire(c.req.valid("query"));
        return c.json({ ...(await cache.deleteArchivedMatching(match)), dry_run: match.dryRun }, 200);
      },
    );
