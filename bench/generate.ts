/**
 * Writes a cache that looks like real use, repeatably:
 *
 *   npx tsx bench/generate.ts --rows 1000000 --seed 1 --archived 0.095 --out bench/out/1m.sqlite
 *
 * `uqt_` + 32-hex ids, six backends, mostly `success`, submit times over 90 days, a small counts
 * result, a ~200-byte OriginIR circuit in metadata, a compiled circuit on a third of them.
 * The rows come from one INSERT … SELECT per table over a recursive sequence, so SQLite does the
 * work without a round trip per row. `--version 2` writes a seed-era v2 file (for the migration
 * benchmark).
 */
import process from "node:process";
import { DEFAULTS, generate, type GenerateOptions } from "../harness/generate.ts";
import { benchArgs } from "./lib/args.ts";

const { values } = benchArgs(import.meta.filename, {
  rows: { type: "string" },
  seed: { type: "string" },
  archived: { type: "string" },
  version: { type: "string" },
  out: { type: "string" },
});
if (!values.out) {
  console.error("Usage: generate --out FILE [--rows 10000] [--seed 1] [--archived 0.095] [--version 4]");
  process.exit(2);
}
const options: GenerateOptions = {
  ...DEFAULTS,
  rows: Number(values.rows ?? DEFAULTS.rows),
  seed: Number(values.seed ?? DEFAULTS.seed),
  archived: Number(values.archived ?? DEFAULTS.archived),
  version: Number(values.version ?? DEFAULTS.version),
};
const result = await generate(values.out, options);
console.log(JSON.stringify({ out: values.out, ...options, ...result }));
