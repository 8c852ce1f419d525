/** Every route of the API as its OpenAPI document lists it, read off an app built on a scratch file. */
import { openCache } from "../../adapters/open.ts";
import { createApp } from "../../apps/server/app.ts";
import { tempDir } from "../contract/fixtures.ts";

export interface Endpoint {
  /** Lower case, as in the document. */
  method: "get" | "put" | "post" | "delete";
  /** With `{id}` where the task's id goes. */
  path: string;
}

export async function documentedEndpoints(): Promise<Endpoint[]> {
  const temp = tempDir("uniqc-endpoints-");
  const cache = await openCache(temp.file("tasks.sqlite"));
  try {
    const app = createApp(cache, { version: "0.0.0", runtime: "node" });
    const document = (await (await app.request("/api/openapi.json")).json()) as { paths: Record<string, object> };
    return Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => ({ method: method as Endpoint["method"], path })),
    );
  } finally {
    await cache.close();
    temp.remove();
  }
}

/** Each endpoint as a request that would succeed (with the token, if one is set): a real id, a valid body. */
export function wellFormed(endpoint: Endpoint, id = "t1"): { url: string; init: RequestInit } {
  const queries: Record<string, string> = {
    "/api/archive/purge": "?older_than=1h",
    "/api/tasks/archive-matching": "?all=true",
    "/api/tasks/delete-matching": `?id_prefix=${id}`,
    "/api/archive/restore-matching": "?q=t",
    "/api/archive/delete-matching": "?since=2000-01-01",
    "/api/compare": "?ids=t1,t2",
  };
  const url = endpoint.path.replace("{id}", id) + (queries[endpoint.path] ?? "");
  const bodies: Record<string, unknown> = {
    "put /api/tasks/{id}": { backend: "dummy", status: "running" },
    "post /api/tasks/bulk-archive": { task_ids: ["t1"] },
    "post /api/tasks/bulk-delete": { task_ids: ["t1"] },
    "post /api/maintenance": { archive_after_hours: 0 },
    "post /api/import": { rows: [] },
  };
  const body = bodies[`${endpoint.method} ${endpoint.path}`];
  return {
    url,
    init: {
      method: endpoint.method.toUpperCase(),
      ...(body ? { body: JSON.stringify(body), headers: { "content-type": "application/json" } } : {}),
    },
  };
}
