/**
 * The activity figures: tasks per day or week by status, and each backend's success rate, shots
 * and turnaround, over a range of submit times.
 */
import { Hono } from "hono";
import type { TaskCache } from "../../../core/index.ts";
import { StatsAnswer } from "./answers.ts";
import { describe, validate } from "./describe.ts";
import { StatsQuery } from "./requests.ts";

export const activityRoutes = (cache: TaskCache) =>
  new Hono().get(
    "/api/stats",
    describe({
      summary: "Tasks per day or week by status, and per backend success rate, shots and turnaround",
      tag: "tasks",
      answer: StatsAnswer,
      problems: [400],
    }),
    validate("query", StatsQuery),
    async (c) => {
      const { since, until, by, include_archived } = c.req.valid("query");
      return c.json(await cache.stats({ since, until, by, includeArchived: include_archived }), 200);
    },
  );
