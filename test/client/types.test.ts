/**
 * The client's types come from the server's routes: a path the API does not have, a body it
 * would refuse, or a wrong query value does not compile. `npm run check` (tsc) holds the
 * `@ts-expect-error` lines; the run below shows the same requests refused by the server too.
 */
import { hc } from "hono/client";
import type * as v from "valibot";
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import { openCache } from "../../adapters/open.ts";
import type { CacheClient } from "../../apps/client/client.ts";
import { createApp } from "../../apps/server/app.ts";
import type { PageAnswer } from "../../apps/server/api/listing.ts";
import type { Api } from "../../apps/server/api/index.ts";
import type { Task, TaskCache } from "../../core/index.ts";
import { tempDir } from "../contract/fixtures.ts";

const temp = tempDir("uniqc-client-types-");
let cache: TaskCache;
let api: ReturnType<typeof hc<Api>>["api"];

beforeAll(async () => {
  cache = await openCache(temp.file("tasks.sqlite"));
  const app = createApp(cache, { version: "0.0.0", runtime: "node" });
  api = hc<Api>("http://cache.test", {
    fetch: (input: RequestInfo | URL, init?: RequestInit) => app.request(input, init),
  }).api;
});
afterAll(async () => {
  await cache.close();
  temp.remove();
});

describe("the client's types, taken from the routes", () => {
  it("give each route's answer the shape it describes, and the client the library's own", () => {
    type Routes = ReturnType<typeof hc<Api>>["api"];
    type Json<F extends (...args: never[]) => Promise<{ json(): Promise<unknown> }>> = Awaited<
      ReturnType<Awaited<ReturnType<F>>["json"]>
    >;
    expectTypeOf<Json<Routes["tasks"][":id"]["$get"]>>().toExtend<Task>();
    expectTypeOf<Json<Routes["tasks"]["$get"]>>().toEqualTypeOf<v.InferOutput<typeof PageAnswer>>();
    expectTypeOf<CacheClient>().toExtend<TaskCache>();
  });

  it("refuse, at compile time and at the server, what the API does not take", async () => {
    // @ts-expect-error a body without the task's required fields
    const missing = await api.tasks[":id"].$put({ param: { id: "t1" }, json: { backend: "b" } });
    expect(missing.status).toBe(400);
    // @ts-expect-error a status the API does not know
    const unknown = await api.tasks.$get({ query: { status: "finished" } });
    expect(unknown.status).toBe(400);
    // @ts-expect-error task_ids must be a list
    const list = await api.tasks["bulk-archive"].$post({ json: { task_ids: "t1" } });
    expect(list.status).toBe(400);
    // @ts-expect-error a path the API does not have (hc builds any path at run time; only the types refuse it)
    void api.tasks.everything;
    const saved = await api.tasks[":id"].$put({ param: { id: "t1" }, json: { backend: "b", status: "running" } });
    expect(saved.status).toBe(200);
    expect((await saved.json()).task_id).toBe("t1");
  });
});
