/**
 * The routes of the archive: listing, reading, restoring and deleting archived tasks, and the
 * retention policy that fills and empties it.
 */
import * as v from "valibot";
import { Stamp, Text, Whole } from "../../../core/shared/shapes.ts";
import { Hono } from "hono";
import { HOUR_MS, MaintenanceReportSchema, NotFoundError, type TaskCache, TaskSchema } from "../../../core/index.ts";
import { fromWire } from "../../http/wire-names.ts";
import { describe, validate } from "./describe.ts";
import { PageAnswer, listingOf, pageResponse } from "./listing.ts";
import { DeletedAnswer } from "./tasks.ts";
import { ArchiveListQuery, MaintenanceBody, PurgeQuery, TaskIdParams } from "./requests.ts";

const PurgeAnswer = v.object({
  count: Whole,
  cutoff: Stamp,
  older_than_hours: v.number(),
  dry_run: v.boolean(),
});
export const RestoredAnswer = v.object({ restored: Text });

export const archiveRoutes = (cache: TaskCache) =>
  new Hono()
    .post(
      "/api/archive/purge",
      describe({
        summary:
          "Delete for good the tasks archived longer ago than `older_than` (`90d`, `12h`); with `dry_run`, count them",
        tag: "archive",
        answer: PurgeAnswer,
        problems: [400, 409],
      }),
      validate("query", PurgeQuery),
      async (c) => {
        const { older_than, dry_run } = c.req.valid("query");
        const olderThanHours = older_than / HOUR_MS;
        const { count, cutoff } = await cache.purgeArchived({ olderThanHours, dryRun: dry_run });
        return c.json({ count, cutoff, older_than_hours: olderThanHours, dry_run }, 200);
      },
    )
    .post(
      "/api/maintenance",
      describe({
        summary:
          "Run the retention policy once, in short transactions: archive finished tasks, purge old archived ones",
        tag: "archive",
        answer: MaintenanceReportSchema,
        problems: [400, 409, 413],
      }),
      validate("json", MaintenanceBody),
      async (c) => {
        const policy = fromWire(c.req.valid("json"));
        return c.json(await cache.maintain(policy), 200);
      },
    )
    .get(
      "/api/archive",
      describe({ summary: "List archived tasks, newest first", tag: "archive", answer: PageAnswer, problems: [400] }),
      validate("query", ArchiveListQuery),
      async (c) => {
        const query = c.req.valid("query");
        const { filter, scope, after, offset } = listingOf({ ...query, include_archived: false }, "archive");
        const { limit } = query;
        const [page, count] = await Promise.all([
          cache.listArchivedText({ ...filter, limit, offset, after }),
          cache.countArchived(),
        ]);
        return pageResponse(c, page, { limit, offset, count }, scope);
      },
    )
    .post(
      "/api/archive/restore/:id",
      describe({
        summary: "Move an archived task back",
        tag: "archive",
        answer: RestoredAnswer,
        problems: [400, 404, 409],
      }),
      validate("param", TaskIdParams),
      async (c) => {
        const { id } = c.req.valid("param");
        await cache.restore(id);
        return c.json({ restored: id }, 200);
      },
    )
    .get(
      "/api/archive/:id",
      describe({ summary: "Get one archived task", tag: "archive", answer: TaskSchema, problems: [400, 404] }),
      validate("param", TaskIdParams),
      async (c) => {
        const { id } = c.req.valid("param");
        const task = await cache.getArchived(id);
        if (!task) throw new NotFoundError(id, "archive");
        return c.json(task, 200);
      },
    )
    .delete(
      "/api/archive/:id",
      describe({
        summary: "Delete an archived task for good",
        tag: "archive",
        answer: DeletedAnswer,
        problems: [400, 404, 409],
      }),
      validate("param", TaskIdParams),
      async (c) => {
        const { id } = c.req.valid("param");
        await cache.deleteArchived(id);
        return c.json({ deleted: id }, 200);
      },
    );
