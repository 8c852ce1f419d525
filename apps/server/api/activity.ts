/**
 * How the work went: the activity figures over a range of submit times (tasks per day or week by
 * status, each backend's success rate, shots and turnaround), and how close the hardware got, a
 * task against its circuit's ideal and tasks against each other.
 */
import { Hono } from "hono";
import { ActivityStatsSchema, ComparisonSchema, TaskAnalysisSchema, type TaskCache } from "../../../core/index.ts";
import { fromWire } from "../../http/wire-names.ts";
import { describe, validate } from "./describe.ts";
import { CompareQuery, StatsQuery, TaskIdParams } from "./requests.ts";

export const activityRoutes = (cache: TaskCache) =>
  new Hono()
    .get(
      "/api/tasks/:id/analysis",
      describe({
        summary: "A task's measured outcomes beside its circuit's ideal distribution, with TVD and Hellinger fidelity",
        tag: "tasks",
        answer: TaskAnalysisSchema,
        problems: [400, 404],
      }),
      validate("param", TaskIdParams),
      async (c) => c.json(await cache.analyse(c.req.valid("param").id), 200),
    )
    .get(
      "/api/compare",
      describe({
        summary: "Two to six tasks' measured outcomes side by side, with the TVD of each pair",
        tag: "tasks",
        answer: ComparisonSchema,
        problems: [400, 404],
      }),
      validate("query", CompareQuery),
      async (c) => c.json(await cache.compare(c.req.valid("query").ids), 200),
    )
    .get(
      "/api/stats",
      describe({
        summary: "Tasks per day or week by status, and per backend success rate, shots and turnaround",
        tag: "tasks",
        answer: ActivityStatsSchema,
        problems: [400],
      }),
      validate("query", StatsQuery),
      async (c) => {
        return c.json(await cache.stats(fromWire(c.req.valid("query"))), 200);
      },
    );
