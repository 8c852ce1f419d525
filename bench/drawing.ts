/**
 * How long drawing takes: QFT-20 (210 gates and 10 swaps) and the 20-qubit random circuit of the
 * drawing tests, parsed and drawn as SVG, mean over one second of calls.
 *
 *   npx tsx bench/drawing.ts
 */
import { drawCircuit, parseCircuit } from "../core/quantum/drawing/index.ts";
import { CORPUS, qftOriginIr } from "../harness/circuit-corpus.ts";
import { benchArgs } from "./lib/args.ts";
import { meanMs } from "./lib/mean-time.ts";

benchArgs(import.meta.filename, {});

const circuits: [string, string][] = [
  ["QFT-20 (OriginIR)", qftOriginIr(20)],
  [
    "random 20-qubit, 200 gates (OpenQASM 2.0)",
    CORPUS.find((s) => s.name.startsWith("random") && s.language === "qasm")!.text,
  ],
];
console.log("| circuit | operations | parse ms | parse and draw ms | SVG bytes |\n| --- | ---: | ---: | ---: | ---: |");
for (const [name, text] of circuits) {
  const parse = await meanMs(async () => parseCircuit(text), 1000);
  const draw = await meanMs(async () => drawCircuit(text), 1000);
  console.log(
    `| ${name} | ${parseCircuit(text).operations.length} | ${parse.toFixed(3)} | ${draw.toFixed(3)} | ${drawCircuit(text).length.toLocaleString("en")} |`,
  );
}
