/**
 * The apps depend one way (README, Layout): the server mounts the dashboard, the CLI starts the
 * server through its index, the client takes the API's types (and nothing else) from the routes,
 * everything shares apps/http, and nothing else crosses a folder.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve, dirname } from "node:path";
import { expect, it } from "vitest";

const APPS = join(import.meta.dirname, "..", "apps");

/** What each app may import of the others: a folder, or one file of it. */
const ALLOWED: Record<string, readonly string[]> = {
  server: ["http", "dashboard"],
  dashboard: ["http"],
  cli: ["http", "client", "server/index.ts"],
  client: ["server/api/index.ts"],
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
