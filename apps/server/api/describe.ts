/**
 * How a route of the API is described: beside its handler, once. `describe` names what it does
 * and answers, `validate` checks a request part and lends its schema to the document; the OpenAPI
 * document is read off the routes (`hono-openapi`), and the typed client off their types (`hc`).
 */
import { vValidator } from "@hono/valibot-validator";
import { toJsonSchema, type ConversionConfig } from "@valibot/to-json-schema";
import { type DescribeRouteOptions, loadVendor, resolver, uniqueSymbol } from "hono-openapi";
import type { Context, MiddlewareHandler, Next } from "hono";
import { HTTPException } from "hono/http-exception";
import type * as v from "valibot";
import { InvalidInputError, JsonObjectSchema, toInputIssues } from "../../../core/index.ts";

const CONVERSION: ConversionConfig = {
  target: "draft-2020-12",
  // A request is documented as it arrives: query values are the strings the schemas convert.
  typeMode: "input",
  // JSON numbers are finite already, and JSON Schema has no word for that, for trimming, or for a
  // check in code (a time bound; its description names the forms).
  ignoreActions: ["finite", "trim", "check"],
  // JsonObjectSchema is a custom check (valibot's record takes arrays); say what it means.
  overrideSchema: ({ valibotSchema }) => (valibotSchema === JsonObjectSchema ? { type: "object" } : undefined),
};

/** A schema as the document shows it: JSON Schema without its dialect line. */
export function jsonSchemaOf(schema: v.GenericSchema): Record<string, unknown> {
  const { $schema: _dialect, ...json } = toJsonSchema(schema, CONVERSION);
  return json;
}

loadVendor("valibot", { toOpenAPISchema: (schema) => jsonSchemaOf(schema as v.GenericSchema) });

export type Tag = "tasks" | "archive" | "circuits" | "service";

/** The refusals a route may answer with, besides 401 where a token is set and 415 for a body that is not JSON. */
export type ProblemStatus = 400 | 404 | 409 | 413 | 422 | 502;

export interface RouteDescription {
  summary: string;
  tag: Tag;
  /** The answer: the schema of its JSON, or the media type of what it sends instead. */
  answer: v.GenericSchema | `${string}/${string}`;
  problems?: readonly ProblemStatus[];
}

const PROBLEM = {
  description: "Problem details (RFC 9457)",
  content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
};

/**
 * What a route does and answers, for the document. The middleware only passes the request on,
 * without an async frame of its own (hono-openapi's `describeRoute` adds one to every request).
 */
export function describe({ summary, tag, answer, problems = [] }: RouteDescription): MiddlewareHandler {
  const spec: DescribeRouteOptions = {
    summary,
    tags: [tag],
    responses: {
      200: {
        description: "OK",
        content: typeof answer === "string" ? { [answer]: {} } : { "application/json": { schema: resolver(answer) } },
      },
      ...Object.fromEntries(problems.map((status) => [status, PROBLEM])),
    },
  };
  return Object.assign((_c: Context, next: Next) => next(), { [uniqueSymbol]: { spec } });
}

/** How a route's answer is checked against what `describe` said of it; undefined where it said a media type. */
export function describedAnswer(handler: unknown): ((answer: unknown) => unknown) | undefined {
  const spec = (handler as { [uniqueSymbol]?: { spec?: DescribeRouteOptions } })[uniqueSymbol]?.spec;
  const ok = spec?.responses?.[200];
  const schema = ok && "content" in ok ? ok.content?.["application/json"]?.schema : undefined;
  return schema && "validate" in schema ? schema.validate : undefined;
}

type Target = "json" | "query" | "param";

/**
 * Hono's validator with valibot, failing as problem+json that names the field and never echoes
 * the input; the schema goes into the document as the route's parameters or body. A body must
 * say it is JSON: otherwise the validator would see an empty object.
 */
export function validate<T extends Target, S extends v.GenericSchema>(target: T, schema: S) {
  const check = vValidator(target, schema, (result) => {
    if (!result.success) throw new InvalidInputError(toInputIssues(result.issues));
  });
  const middleware =
    target === "json"
      ? ((async (c, next) => {
          if (!/^application\/(.+\+)?json\b/i.test(c.req.header("content-type") ?? "")) {
            throw new HTTPException(415, { message: "Send the body as JSON, with content-type application/json." });
          }
          return check(c, next);
        }) as typeof check)
      : check;
  // The metadata is for the document; to Hono and the client it is the validator it was.
  return Object.assign(middleware, { [uniqueSymbol]: { target, ...resolver(schema) } }) as typeof check;
}
