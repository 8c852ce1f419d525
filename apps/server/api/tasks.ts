/**
 * The routes of active tasks: listing, counting, saving, deleting, and moving them to the archive.
 */
import * as v from "valibot";
import { Ids, Text, Whole } from "../../../core/shared/shapes.ts";
import { Hono } from "hono";
import {
  ArchiveExpiredResultSchema,
  BulkArchiveResultSchema,
  BulkDeleteResultSchema,
  InvalidInputError,
  NotFoundError,
  StatusCountsSchema,
  type TaskCache,
  TaskConflictsSchema,
  TaskSchema,
  TaskShardsSchema,
} from "../../../core/index.ts";
import { fromWire } from "../../http/wire-names.ts";
import { describe, validate } from "./describe.ts";
import { PageAnswer, listingOf, pageResponse } from "./listing.ts";
import { ArchiveExpiredQuery, BulkBody, ListQuery, TaskBody, TaskIdParams } from "./requests.ts";

export const DeletedAnswer = v.object({ deleted: Text });
const ArchivedAnswer = v.object({ archived: Text });
const CountAnswer = v.object({ count: Whole });
const BackendsAnswer = v.object({
  backends: v.pipe(
    v.array(v.object({ backend: Text, n: Whole })),
    v.description("Active tasks per backend, most first"),
  ),
});
const BulkArchiveAnswer = v.object({ ...BulkArchiveResultSchema.entries, count: Whole });
const BulkDeleteAnswer = v.object({ ...BulkDeleteResultSchema.entries, count: Whole });
const ArchiveExpiredAnswer = v.object({
  archived: Ids,
  count: Whole,
  hours: v.number(),
  terminal_only: v.boolean(),
  skipped_running: ArchiveExpiredResultSchema.entries.skipped,
});

export const taskRoutes = (cache: TaskCache) =>
  new Hono()
    .get(
      "/api/tasks",
      describe({ summary: "List active tasks, newest first", tag: "tasks", answer: PageAnswer, problems: [400] }),
      validate("query", ListQuery),
      async (c) => {
        const query = c.req.valid("query");
        const { filter, scope, after, offset } = listingOf(query, "tasks");
        const { limit, include_archived: includeArchived } = query;
        const page = await cache.listText({ ...filter, limit, offset, includeArchived, after });
        return pageResponse(c, page, { limit, offset }, scope);
      },
    )
    .get(
      "/api/tasks/counts",
      describe({ summary: "Count active tasks per status", tag: "tasks", answer: StatusCountsSchema }),
      async (c) => c.json(await cache.counts(), 200),
    )
    .get(
      "/api/tasks/backends",
      describe({ summary: "Count active tasks per backend, most first", tag: "tasks", answer: BackendsAnswer }),
      async (c) => c.json({ backends: await cache.backendCounts() }, 200),
    )
    .get(
      "/api/tasks/expired",
      describe({
        summary: "How many tasks archive-expired would move now with the same query",
        tag: "archive",
        answer: CountAnswer,
        problems: [400],
      }),
      validate("query", ArchiveExpiredQuery),
      async (c) => c.json({ count: await cache.countExpired(fromWire(c.req.valid("query"))) }, 200),
    )
    .post(
      "/api/tasks/clear-completed",
      describe({
        summary: "Delete every active task in a terminal status",
        tag: "tasks",
        answer: CountAnswer,
        problems: [409],
      }),
      async (c) => c.json({ count: await cache.clearCompleted() }, 200),
    )
    .post(
      "/api/tasks/bulk-archive",
      describe({
        summary: "Archive many tasks in one transaction",
        tag: "archive",
        answer: BulkArchiveAnswer,
        problems: [400, 409, 413],
      }),
      validate("json", BulkBody),
      async (c) => {
        const { archived, missing } = await cache.bulkArchive(c.req.valid("json").task_ids);
        return c.json({ archived, missing, count: archived.length }, 200);
      },
    )
    .post(
      "/api/tasks/bulk-delete",
      describe({
        summary: "Delete many active tasks",
        tag: "tasks",
        answer: BulkDeleteAnswer,
        problems: [400, 409, 413],
      }),
      validate("json", BulkBody),
      async (c) => {
        const { deleted, missing } = await cache.bulkDelete(c.req.valid("json").task_ids);
        return c.json({ deleted, missing, count: deleted.length }, 200);
      },
    )
    .post(
      "/api/tasks/archive-expired",
      describe({
        summary: "Archive tasks submitted more than `hours` ago",
        tag: "archive",
        answer: ArchiveExpiredAnswer,
        problems: [400, 409],
      }),
      validate("query", ArchiveExpiredQuery),
      async (c) => {
        const options = c.req.valid("query");
        const { archived, skipped } = await cache.archiveExpired(fromWire(options));
        return c.json({ archived, count: archived.length, ...options, skipped_running: skipped }, 200);
      },
    )
    .get(
      "/api/tasks/:id",
      describe({ summary: "Get one active task, whole", tag: "tasks", answer: TaskSchema, problems: [400, 404] }),
      validate("param", TaskIdParams),
      async (c) => {
        const { id } = c.req.valid("param");
        const task = await cache.get(id);
        if (!task) throw new NotFoundError(id, "tasks");
        return c.json(task, 200);
      },
    )
    .get(
      "/api/tasks/:id/shards",
      describe({
        summary: "The shards of a task, active or archived (the cloud jobs behind it)",
        tag: "tasks",
        answer: TaskShardsSchema,
        problems: [400, 404],
      }),
      validate("param", TaskIdParams),
      async (c) => {
        const { id } = c.req.valid("param");
        const shards = await cache.shards(id);
        if (!shards) throw new NotFoundError(id, "tasks");
        return c.json(shards, 200);
      },
    )
    .get(
      "/api/tasks/:id/conflicts",
      describe({
        summary: "On a synced replica: the versions of a task that lost when machines disagreed",
        tag: "tasks",
        answer: TaskConflictsSchema,
        problems: [400, 404],
      }),
      validate("param", TaskIdParams),
      async (c) => {
        const { id } = c.req.valid("param");
        const conflicts = await cache.conflicts(id);
        if (!conflicts) throw new NotFoundError(id, "tasks");
        return c.json(conflicts, 200);
      },
    )
    .put(
      "/api/tasks/:id",
      describe({ summary: "Record or update a task", tag: "tasks", answer: TaskSchema, problems: [400, 409, 413] }),
      validate("param", TaskIdParams),
      validate("json", TaskBody),
      async (c) => {
        const { id } = c.req.valid("param");
        const body = c.req.valid("json");
        if (body.task_id !== undefined && body.task_id !== id) {
          throw new InvalidInputError([{ path: "task_id", message: `must match the id in the path (${id})` }]);
        }
        return c.json(await cache.save({ ...body, task_id: id }), 200);
      },
    )
    .delete(
      "/api/tasks/:id",
      describe({ summary: "Delete an active task", tag: "tasks", answer: DeletedAnswer, problems: [400, 404, 409] }),
      validate("param", TaskIdParams),
      async (c) => {
        const { id } = c.req.valid("param");
        await cache.delete(id);
        return c.json({ deleted: id }, 200);
      },
    )
    .post(
      "/api/tasks/:id/archive",
      describe({
        summary: "Move a task to the archive",
        tag: "archive",
        answer: ArchivedAnswer,
        problems: [400, 404, 409],
      }),
      validate("param", TaskIdParams),
      async (c) => {
        const { id } = c.req.valid("param");
        await cache.archive(id);
        return c.json({ archived: id }, 200);
      },
    );
