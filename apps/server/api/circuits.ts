/**
 * The routes of a task's circuit: as stored, drawn into an HTML fragment, and drawn as an image.
 */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { CircuitViewSchema, type TaskCache } from "../../../core/index.ts";
import { drawCircuit } from "../../../core/quantum/drawing/index.ts";
import { circuitFragment, circuitText } from "../../http/circuit-fragment.ts";
import { describe, validate } from "./describe.ts";
import { CircuitQuery, TaskIdParams } from "./requests.ts";

export const circuitRoutes = (cache: TaskCache) =>
  new Hono()
    .get(
      "/api/circuits/:id",
      describe({
        summary: "The source, compiled or executed circuit of a task",
        tag: "circuits",
        answer: CircuitViewSchema,
        problems: [400, 404],
      }),
      validate("param", TaskIdParams),
      validate("query", CircuitQuery),
      async (c) => c.json(await cache.getCircuit(c.req.valid("param").id, c.req.valid("query").format), 200),
    )
    .get(
      "/api/circuits/:id/svg",
      describe({
        summary: "The circuit drawn, as an HTML fragment holding the SVG (or its text, when it cannot be drawn)",
        tag: "circuits",
        answer: "text/html",
        problems: [400, 404],
      }),
      validate("param", TaskIdParams),
      validate("query", CircuitQuery),
      async (c) =>
        c.html(circuitFragment(await cache.getCircuit(c.req.valid("param").id, c.req.valid("query").format))),
    )
    .get(
      "/api/circuits/:id/drawing.svg",
      describe({
        summary: "The circuit drawn, as an SVG image",
        tag: "circuits",
        answer: "image/svg+xml",
        problems: [400, 404, 422],
      }),
      validate("param", TaskIdParams),
      validate("query", CircuitQuery),
      async (c) => {
        const view = await cache.getCircuit(c.req.valid("param").id, c.req.valid("query").format);
        const text = circuitText(view);
        if (text === undefined) {
          throw new HTTPException(404, { message: `Task ${view.task_id} has no ${view.format} circuit.` });
        }
        return c.body(drawCircuit(text), 200, { "content-type": "image/svg+xml; charset=utf-8" });
      },
    );
