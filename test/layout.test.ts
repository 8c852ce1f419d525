/**
 * The code depends one way (README, Layout). In core/, each wing imports only the wings below
 * it, and nothing of a driver, a runtime or an app. Of the apps, the server mounts the dashboard,
 * the CLI starts the server through its index, the client takes the API's types (and nothing
 * else) from the routes, everything shares apps/http, and nothing else crosses a folder.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve, dirname } from "node:path";
import { expect, it } from "vitest";

const APPS = join(import.meta.dirname, "..", "apps");
const CORE = join(import.meta.dirname, "..", "core");

/** What each app may import of the others: a folder, or one file of it. */
const ALLOWED: Record<string, readonly string[]> = {
  server: ["http", "dashboard"],
  dashboard: ["http"],
  cli: ["http", "client", "server/index.ts"],
  client: ["http", "server/api/index.ts"],
  http: [],
};

function importsOf(folder: string): { file: string; target: string; typeOnly: boolean }[] {
  const found: { file: string; target: string; typeOnly: boolean }[] = [];
  for (const entry of readdirSync(join(APPS, folder), { recursive: true, encoding: "utf8" })) {
    if (!/\.tsx?$/.test(entry)) continue;
    const file = join(APPS, folder, entry);
    for (const match of readFileSync(file, "utf8").matchAll(/^(?:import|export)( type)? [^;]*?from "(\.[^"]+)"/gm)) {
      const target = relative(APPS, resolve(dirname(file), match[2]!));
      if (!target.startsWith("..") && target.includes("/")) {
        found.push({ file: relative(APPS, file), target, typeOnly: match[1] !== undefined });
      }
    }
  }
  return found;
}

it("apps import one another only one way", () => {
  expect(Object.keys(ALLOWED).sort()).toEqual(
    readdirSync(APPS, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort(),
  );
  for (const [folder, allowed] of Object.entries(ALLOWED)) {
    const crossing = importsOf(folder).filter(({ target }) => !target.startsWith(`${folder}/`));
    const refused = crossing.filter(
      ({ target }) => !allowed.some((rule) => target === rule || target.startsWith(`${rule}/`)),
    );
    expect(refused, `${folder} imports what it may not`).toEqual([]);
  }
});

it("the client takes only types from the server", () => {
  const fromServer = importsOf("client").filter(({ target }) => target.startsWith("server/"));
  expect(fromServer.length).toBeGreaterThan(0);
  expect(fromServer.filter(({ typeOnly }) => !typeOnly)).toEqual([]);
});

/** core/'s wings from the bottom up; a wing imports only from wings of a lower rank, or from itself. */
const WINGS: Record<string, number> = {
  shared: 0,
  driver: 1,
  quantum: 1,
  file: 2,
  history: 3,
  store: 4,
  operations: 5,
  // The root: index.ts, the composed cache and its interface.
  ".": 6,
};

/** The one package core/ uses; everything else it needs is passed in through the driver seam. */
const CORE_PACKAGES = ["valibot"];

const wingOf = (path: string) => (path.includes("/") ? path.slice(0, path.indexOf("/")) : ".");

it("core's wings import only the wings below them", () => {
  const entries = readdirSync(CORE, { recursive: true, encoding: "utf8" }).filter((entry) => /\.tsx?$/.test(entry));
  expect([...new Set(entries.map(wingOf))].sort()).toEqual(Object.keys(WINGS).sort());
  const upward: string[] = [];
  const outside: string[] = [];
  for (const entry of entries) {
    const text = readFileSync(join(CORE, entry), "utf8");
    for (const match of text.matchAll(/(?:from|import\()\s*"([^"]+)"/g)) {
      const specifier = match[1]!;
      if (!specifier.startsWith(".")) {
        if (!CORE_PACKAGES.includes(specifier)) outside.push(`${entry} -> ${specifier}`);
        continue;
      }
      const target = relative(CORE, resolve(dirname(join(CORE, entry)), specifier));
      if (target.startsWith("..")) outside.push(`${entry} -> ${target}`);
      else if (wingOf(target) !== wingOf(entry) && WINGS[wingOf(target)]! >= WINGS[wingOf(entry)]!)
        upward.push(`${entry} -> ${target}`);
    }
  }
  expect(upward, "imports that do not run down").toEqual([]);
  expect(outside, "core imports only its own files and valibot").toEqual([]);
});
