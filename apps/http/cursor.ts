/**
 * The opaque `cursor` of keyset paging: the last task of a page, bound to the filters it was
 * issued for, so a cursor cannot silently page through a different listing.
 */
import { InvalidInputError, type TaskFilter } from "../../core/index.ts";

/** What a cursor is valid for: a listing and its filters, as they were asked for. */
export interface CursorScope extends TaskFilter {
  listing: "tasks" | "archive";
  includeArchived?: boolean | undefined;
}

export interface CursorPosition {
  submit_time: string;
  task_id: string;
}

/** The scope as a cursor carries it; the filters added later only where given, so older cursors stay valid. */
function scopeKey(scope: CursorScope): string {
  const key = [scope.listing, scope.status ?? "", scope.backend ?? "", scope.includeArchived ? 1 : 0].join("|");
  const narrowing = [scope.search, scope.idPrefix, scope.since, scope.until];
  return narrowing.every((part) => part === undefined) ? key : `${key}|${JSON.stringify(narrowing)}`;
}

function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

function fromBase64Url(token: string): string {
  const binary = atob(token.replace(/-/g, "+").replace(/_/g, "/"));
  return new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(binary, (char) => char.charCodeAt(0)));
}

function isTriple(value: unknown): value is [string, string, string] {
  return Array.isArray(value) && value.length === 3 && value.every((part) => typeof part === "string");
}

export function encodeCursor(position: CursorPosition, scope: CursorScope): string {
  return toBase64Url(JSON.stringify([position.submit_time, position.task_id, scopeKey(scope)]));
}

/**
 * The cursor of the page after one that held `count` of at most `limit` tasks, the last being
 * `last`: only a full page has one, since a page that was not full was the last.
 */
export function nextCursor(
  count: number,
  limit: number,
  last: CursorPosition | undefined,
  scope: CursorScope,
): string | null {
  return count === limit && last ? encodeCursor(last, scope) : null;
}

/** Reads a cursor, refusing one that is malformed or was issued for other filters. */
export function decodeCursor(token: string, scope: CursorScope): CursorPosition {
  let parts: unknown;
  try {
    parts = JSON.parse(fromBase64Url(token));
  } catch {
    parts = undefined;
  }
  if (!isTriple(parts)) {
    throw new InvalidInputError([{ path: "cursor", message: "is not a cursor this server issued" }]);
  }
  if (parts[2] !== scopeKey(scope)) {
    throw new InvalidInputError([
      {
        path: "cursor",
        message: "was issued for other filters; use it with the same filters it came with",
      },
    ]);
  }
  return { submit_time: parts[0], task_id: parts[1] };
}
