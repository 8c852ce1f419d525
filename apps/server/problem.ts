/**
 * Errors as `application/problem+json` (RFC 9457). `detail` is the human sentence: the Python
 * gateway's clients read it. Bad fields are listed in `errors`, each with its path.
 */
import type { Context } from "hono";
import * as v from "valibot";
import { Text, Whole } from "../../core/shared/shapes.ts";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { isCacheError, type ErrorCode, type InputIssue } from "../../core/index.ts";

/** A refusal, as RFC 9457 problem details: the document's shape of every error answer. */
export const ProblemAnswer = v.object({
  type: Text,
  title: Text,
  status: Whole,
  detail: v.pipe(Text, v.description("What went wrong, as a sentence")),
  errors: v.optional(v.array(v.object({ path: Text, message: Text }))),
});

export type Problem = v.InferOutput<typeof ProblemAnswer>;

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  404: "Not Found",
  409: "Conflict",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  500: "Internal Server Error",
  502: "Bad Gateway",
};

/** HTTP status for each typed error of the cache. */
const STATUS_OF: Record<ErrorCode, ContentfulStatusCode> = {
  invalid_input: 400,
  not_found: 404,
  conflict: 409,
  // A newer file is the server's state, not the request's fault: the write conflicts with it.
  read_only: 409,
  not_synced: 409,
  // The request is well formed; the circuit stored for the task is what cannot be drawn.
  circuit_syntax: 422,
  // The sync server failed, not this server: the request may succeed later.
  sync_failed: 502,
  server_error: 502,
  // The file itself is wrong: found when the cache opens, never by a request.
  foreign_database: 500,
  not_sqlite: 500,
  migration_failed: 500,
  replica_in_use: 500,
};

export function problemResponse(
  status: number,
  detail: string,
  extra: { code?: string; errors?: readonly InputIssue[]; headers?: HeadersInit } = {},
): Response {
  const body: Problem = {
    type: `urn:uniqc:problem:${extra.code ?? status}`,
    title: TITLES[status] ?? "Error",
    status,
    detail,
    ...(extra.errors ? { errors: [...extra.errors] } : {}),
  };
  const headers = new Headers(extra.headers);
  headers.set("content-type", "application/problem+json");
  return new Response(JSON.stringify(body), { status, headers });
}

/** The one error handler: typed cache errors, Hono's HTTP exceptions, and the unexpected. */
export function errorToProblem(error: unknown, c: Context): Response {
  if (isCacheError(error)) {
    const issues = error.code === "invalid_input" ? error.issues : undefined;
    return problemResponse(STATUS_OF[error.code], error.message, {
      code: error.code,
      ...(issues ? { errors: issues } : {}),
    });
  }
  if (error instanceof HTTPException) {
    const original = error.getResponse();
    return problemResponse(error.status, error.message || TITLES[error.status] || "Request refused", {
      headers: original.headers.has("www-authenticate")
        ? { "www-authenticate": original.headers.get("www-authenticate")! }
        : undefined,
    });
  }
  // Never a stack trace to the client; the operator sees it on stderr.
  console.error(`${c.req.method} ${c.req.path} failed:`, error);
  return problemResponse(500, "The server failed to answer this request; the error was logged.");
}
