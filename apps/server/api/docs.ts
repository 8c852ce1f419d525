/**
 * The API reference page at `/api/docs`: Swagger UI, served from the installed package rather
 * than a CDN, because users run this offline.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Hono } from "hono";
import { describe } from "./describe.ts";

const ASSETS: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
};

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>uniqc task cache API</title>
  <link rel="stylesheet" href="/api/docs/swagger-ui.css">
</head>
<body>
  <div id="docs"></div>
  <script src="/api/docs/swagger-ui-bundle.js"></script>
  <script src="/api/docs/init.js"></script>
</body>
</html>`;

// A file of its own rather than an inline script, so a strict Content-Security-Policy can apply.
const INIT = `window.ui = SwaggerUIBundle({ url: "/api/openapi.json", dom_id: "#docs", deepLinking: true });`;

/** Reads each asset once, on first request, so starting the server does no extra I/O. */
function assetReader(): (name: string) => Uint8Array {
  const folder = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
  const cache = new Map<string, Uint8Array>();
  return (name) => {
    const bytes = cache.get(name) ?? readFileSync(join(folder, name));
    cache.set(name, bytes);
    return bytes;
  };
}

export function docsRoutes(): Hono {
  const read = assetReader();
  return new Hono()
    .get("/", describe({ summary: "The reference page for this document", tag: "service", answer: "text/html" }), (c) =>
      c.html(PAGE),
    )
    .get("/init.js", (c) => c.body(INIT, 200, { "content-type": "text/javascript; charset=utf-8" }))
    .get("/:asset{swagger-ui\\.css|swagger-ui-bundle\\.js}", (c) => {
      const name = c.req.param("asset");
      return c.body(read(name) as Uint8Array<ArrayBuffer>, 200, {
        "content-type": ASSETS[name]!,
        "cache-control": "public, max-age=86400",
      });
    });
}
