/**
 * The REST API, each route written once (`describe` beside its handler): the server mounts it,
 * the OpenAPI document is read off it, and the typed client takes its paths and shapes from
 * `type Api`. Field names and shapes are the Python gateway's, so its frontend and scripts work
 * unchanged.
 */
import { Hono } from "hono";
import { generateSpecs } from "hono-openapi";
import type { TaskCache } from "../../../core/index.ts";
import { docsRoutes } from "./docs.ts";
import type { EventHub } from "../events.ts";
import { ProblemAnswer } from "../problem.ts";
import { activityRoutes } from "./activity.ts";
import { archiveRoutes } from "./archive.ts";
import { circuitRoutes } from "./circuits.ts";
import { describe, jsonSchemaOf } from "./describe.ts";
import { matchingRoutes } from "./matching.ts";
import { serviceRoutes, type ServiceOptions } from "./service.ts";
import { taskRoutes } from "./tasks.ts";

export type { ServiceOptions } from "./service.ts";

export function createApi(cache: TaskCache, hub: EventHub, options: ServiceOptions) {
  const api = new Hono()
    .route("/", serviceRoutes(cache, hub, options))
    .route("/", taskRoutes(cache))
    .route("/", archiveRoutes(cache))
    .route("/", matchingRoutes(cache))
    .route("/", activityRoutes(cache))
    .route("/", circuitRoutes(cache));
  // The document and its page are for people; the client has no use for their types.
  let document: ReturnType<typeof openApiDocument> | undefined;
  api
    .get(
      "/api/openapi.json",
      describe({ summary: "This document", tag: "service", answer: "application/json" }),
      async (c) => {
        document ??= openApiDocument(api, options.version);
        return c.json(await document);
      },
    )
    .route("/api/docs", docsRoutes());
  return api;
}

export type Api = ReturnType<typeof createApi>;

/** The OpenAPI 3.1 document of `api`, from the descriptions and schemas on its routes. */
function openApiDocument(api: Hono, version: string) {
  return generateSpecs(api, {
    documentation: {
      openapi: "3.1.0",
      info: {
        title: "uniqc task cache",
        version,
        description: "Tasks submitted to quantum backends, and their archive.",
      },
      components: {
        schemas: { Problem: jsonSchemaOf(ProblemAnswer) as never },
        securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
      },
    },
    // Refusals are problem details, and each route names its own.
    defaultValidationErrorResponse: false,
    excludeStaticFile: false,
  });
}
