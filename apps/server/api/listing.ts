/**
 * A listing's paging and answer, the same for active and archived tasks.
 */
import * as v from "valibot";
import { Text, Whole } from "../../../core/shared/shapes.ts";
import type { Context, TypedResponse } from "hono";
import { InvalidInputError, TaskPageSchema, type TaskPageText } from "../../../core/index.ts";
import { decodeCursor, nextCursor, type CursorScope } from "../../http/cursor.ts";
import { fromWire } from "../../http/wire-names.ts";
import type { ListQuery } from "./requests.ts";

/** A listing's answer: a page of task summaries and how to page on. */
export const PageAnswer = v.object({
  ...TaskPageSchema.entries,
  limit: Whole,
  offset: Whole,
  count: v.optional(v.pipe(Whole, v.description("The archive listing's whole size"))),
  next_cursor: v.pipe(v.nullable(Text), v.description("Give it back as `cursor` for the next page; null on the last")),
});

/**
 * A listing's query in the library's words: its filter, the scope its cursors are bound to, and
 * its paging, by a cursor (keyset) or an offset, never both.
 */
export function listingOf(query: v.InferOutput<typeof ListQuery>, listing: CursorScope["listing"]) {
  const { cursor, offset, limit, includeArchived, ...filter } = fromWire(query);
  const scope: CursorScope = { listing, ...filter, includeArchived };
  if (cursor === undefined) return { filter, scope, after: undefined, offset };
  if (offset !== 0) throw new InvalidInputError([{ path: "offset", message: "cannot be combined with cursor" }]);
  return { filter, scope, after: decodeCursor(cursor, scope), offset: 0 };
}

/**
 * A listing's answer. The tasks arrive as JSON text from the cache and go out as they are; only
 * the small envelope around them is serialised here, so the answer's type is stated, not inferred.
 */
export function pageResponse(
  c: Context,
  page: TaskPageText,
  fields: { limit: number; offset: number; count?: number },
  scope: CursorScope,
) {
  const next_cursor = nextCursor(page.count, fields.limit, page.last, scope);
  const envelope = JSON.stringify({ total: page.total, ...fields, next_cursor });
  const body = `{"tasks":${page.tasks},${envelope.slice(1)}`;
  return c.body(body, 200, { "content-type": "application/json" }) as unknown as Response &
    TypedResponse<v.InferOutput<typeof PageAnswer>, 200, "json">;
}
