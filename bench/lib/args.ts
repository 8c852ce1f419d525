/**
 * A bench script's flags, read by node's `parseArgs`: `--help` prints the script's usage (the
 * comment that opens its file) and exits 0; a flag it does not take is one sentence, the usage,
 * and exit 2.
 */
import { readFileSync } from "node:fs";
import process from "node:process";
import { parseArgs, type ParseArgsConfig } from "node:util";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** The opening comment of `script`, without its stars. */
function usageOf(script: string): string {
  const comment = /^\/\*\*([\s\S]*?)\*\//.exec(readFileSync(script, "utf8"))?.[1] ?? "";
  return comment
    .split("\n")
    .map((line) => line.replace(/^\s*\* ?/, ""))
    .join("\n")
    .trim();
}

export function benchArgs<const O extends Options>(script: string, options: O, config: { positionals?: boolean } = {}) {
  let parsed: ReturnType<typeof parseArgs<{ options: O & { help: { type: "boolean" } }; allowPositionals: boolean }>>;
  try {
    parsed = parseArgs({
      options: { ...options, help: { type: "boolean", short: "h" } } as O & { help: { type: "boolean" } },
      allowPositionals: config.positionals ?? false,
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${usageOf(script)}\n`);
    process.exit(2);
  }
  if ((parsed.values as { help?: boolean }).help) {
    process.stdout.write(`${usageOf(script)}\n`);
    process.exit(0);
  }
  return parsed;
}
