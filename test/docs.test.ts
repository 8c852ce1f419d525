/** The documentation's links between its own pages lead somewhere: to a file, and to a heading in it. */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..");
const PAGES = ["README.md", "BENCHMARKS.md", "DRILLS.md", ...readdirSync(join(ROOT, "docs")).map((f) => `docs/${f}`)];

/** A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces as hyphens. */
const anchorOf = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/`/g, "")
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");

const anchorsOf = (file: string) =>
  new Set(
    [
      ...readFileSync(file, "utf8")
        .replace(/```[\s\S]*?```/g, "")
        .matchAll(/^#+ (.+)$/gm),
    ].map((m) => anchorOf(m[1]!)),
  );

it("links only to pages and headings that exist", () => {
  const broken: string[] = [];
  for (const page of PAGES) {
    const file = join(ROOT, page);
    for (const [, target] of readFileSync(file, "utf8").matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target!)) continue;
      const [path, anchor] = target!.split("#");
      const linked = path ? resolve(dirname(file), path) : file;
      if (!existsSync(linked)) broken.push(`${page} -> ${target}`);
      else if (anchor && linked.endsWith(".md") && !anchorsOf(linked).has(anchor))
        broken.push(`${page} -> ${relative(ROOT, linked)}#${anchor}`);
    }
  }
  expect(broken).toEqual([]);
});
