/** The circuit parsers and the SVG drawer, on a corpus of real circuits in both languages. */
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { drawCircuit, histogramSvg, outcomesOf, parseCircuit } from "../../../core/quantum/drawing/index.ts";
import { CircuitSyntaxError } from "../../../core/shared/errors.ts";
import { CORPUS } from "../../../harness/circuit-corpus.ts";

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" });

/** Every element of a parsed SVG with its class, depth first. */
function elements(node: unknown, found: { tag: string; attrs: Record<string, string> }[] = [], tag = "svg") {
  if (Array.isArray(node)) {
    for (const child of node) elements(child, found, tag);
  } else if (node && typeof node === "object") {
    const attrs = Object.fromEntries(Object.entries(node).filter(([, value]) => typeof value === "string")) as Record<
      string,
      string
    >;
    found.push({ tag, attrs });
    for (const [key, child] of Object.entries(node)) if (typeof child === "object") elements(child, found, key);
  }
  return found;
}

describe.each(CORPUS)("$name in $language", (sample) => {
  it("parses to its wires and operations", () => {
    const circuit = parseCircuit(sample.text);
    expect(circuit.language).toBe(sample.language);
    expect(circuit.qubits).toBe(sample.qubits);
    expect(circuit.clbits).toBe(sample.clbits);
    expect(circuit.operations).toHaveLength(sample.operations);
  });

  it("puts every gate, control, target and measurement on its own wires, in one column, in program order", () => {
    const circuit = parseCircuit(sample.text);
    const svg = drawCircuit(sample.text);
    const numbers = (text: string, pattern: RegExp) => [...text.matchAll(pattern)].map((match) => Number(match[1]));
    const qubitY = numbers(svg, /<line class="wire wire-q"[^>]* y1="([\d.]+)"/g);
    const clbitY = numbers(svg, /<line class="wire wire-c"[^>]* y1="([\d.]+)"/g).map((y) => y + 1.5);
    const groups = [...svg.matchAll(/<g class="op [^"]*"[^>]*>(.*?)<\/g>/g)].map((match) => match[1]!);
    expect(groups).toHaveLength(circuit.operations.length);
    const centers: number[] = [];
    circuit.operations.forEach((op, i) => {
      const group = groups[i]!;
      const where = `operation ${i} (${op.name})`;
      // Every shape of an operation is centred on one x: its column.
      const rects = [...group.matchAll(/<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"/g)].map(
        (m) => m.slice(1).map(Number),
      );
      const xs = [
        ...numbers(group, /cx="([\d.]+)"/g),
        ...numbers(group, /<line class="(?:link|measure-line|barrier)" x1="([\d.]+)"/g),
        ...rects.map(([x, , width]) => x! + width! / 2),
      ];
      expect(xs.length, where).toBeGreaterThan(0);
      expect(new Set(xs.map((x) => x.toFixed(3))).size, where).toBe(1);
      centers.push(xs[0]!);
      expect(numbers(group, /<circle class="control"[^>]* cy="([\d.]+)"/g).sort(), where).toEqual(
        op.controls.map((q) => qubitY[q]!).sort(),
      );
      const plus = numbers(group, /<circle class="target"[^>]* cy="([\d.]+)"/g);
      const crosses = numbers(group, /<path class="swap" d="M[\d.]+,([\d.]+)/g).map((y) => y + 7);
      const wiresOf = (qubits: readonly number[]) => qubits.map((q) => qubitY[q]!).sort();
      if (plus.length) expect(plus, where).toEqual(wiresOf(op.targets));
      else if (crosses.length) expect(crosses.sort(), where).toEqual(wiresOf(op.targets));
      else if (op.kind === "barrier") {
        const [y1, y2] = [...group.matchAll(/y1="([\d.]+)" x2="[\d.]+" y2="([\d.]+)"/g)][0]!.slice(1).map(Number);
        for (const y of wiresOf(op.targets)) expect(y1! < y && y < y2!, where).toBe(true);
      } else {
        // One box over the targets, and for a measurement a line down to its bit.
        expect(rects, where).toHaveLength(1);
        const [, top, , height] = rects[0]!;
        for (const y of wiresOf(op.targets)) expect(top! < y && y < top! + height!, where).toBe(true);
        if (op.kind === "measure")
          expect(numbers(group, /class="measure-line"[^>]* y2="([\d.]+)"/g), where).toEqual([
            clbitY[op.clbits[0]!]! - 6,
          ]);
      }
    });
    // On each wire, operations stand left to right in the order the program gives them.
    for (let q = 0; q < circuit.qubits; q++) {
      const onWire = circuit.operations.flatMap((op, i) =>
        [...op.targets, ...op.controls].includes(q) ? [centers[i]!] : [],
      );
      for (let i = 1; i < onWire.length; i++) expect(onWire[i]!, `qubit ${q}`).toBeGreaterThan(onWire[i - 1]!);
    }
  });

  it("draws well-formed SVG with a wire per bit, a group per operation, a label per wire", () => {
    const svg = drawCircuit(sample.text);
    expect(XMLValidator.validate(svg)).toBe(true);
    const all = elements(xml.parse(svg).svg);
    const classes = (name: string) => all.filter((e) => e.attrs.class?.split(" ").includes(name));
    expect(classes("wire-q")).toHaveLength(sample.qubits);
    expect(classes("wire-c")).toHaveLength(sample.clbits);
    expect(classes("op")).toHaveLength(sample.operations);
    expect(classes("wire-label")).toHaveLength(sample.qubits + sample.clbits);
  });
});

describe("drawing", () => {
  it("draws each kind of operation in its own way, the same from both languages", () => {
    const [originir, qasm] = CORPUS.filter((s) => s.name === "every gate kind").map((s) => drawCircuit(s.text));
    for (const svg of [originir!, qasm!]) {
      for (const kind of [
        "op-gate",
        "op-measure",
        "op-barrier",
        "op-reset",
        "control",
        "target-plus",
        "swap",
        "measure-line",
        "barrier",
      ]) {
        expect(svg, kind).toMatch(new RegExp(`class="([^"]* )?${kind}[ "]`));
      }
      expect(svg).toMatch(/data-name="(MYGATE|mygate)"/);
      expect(svg).toContain(">M<");
      expect(svg).toContain("|0⟩");
    }
    expect(originir).toContain(">RX(1.5708)<");
    expect(qasm).toContain(">RX(pi/2)<");
  });

  it("packs gates on separate wires into one column, and keeps its size when wide", () => {
    const side = parseCircuit("QINIT 3\nH q[0]\nH q[1]\nH q[2]\nCNOT q[0],q[2]\nX q[1]");
    const narrow = drawCircuit("QINIT 3\nH q[0]\nH q[1]\nH q[2]");
    const deep = drawCircuit(`QINIT 1\n${"H q[0]\n".repeat(300)}`);
    expect(side.operations).toHaveLength(5);
    const widthOf = (svg: string) => Number(/width="(\d+)"/.exec(svg)![1]);
    expect(widthOf(narrow)).toBeLessThan(150);
    expect(widthOf(deep)).toBeGreaterThan(300 * 40);
  });

  it("escapes what it writes, so a hostile gate name cannot break the document", () => {
    const svg = drawCircuit('OPENQASM 2.0;\nqreg q[1];\nrz(1<2&"x") q[0];');
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg).toContain("&#60;");
  });

  it.each([
    ["empty text", ""],
    ["neither language", "hello"],
    ["a qubit beyond QINIT", "QINIT 2\nH q[5]"],
    ["a gate naming a qubit twice", "QINIT 2\nCNOT q[0],q[0]"],
    ["too many qubits", "QINIT 100000"],
    ["an unknown register", "OPENQASM 2.0;\nqreg q[2];\nh r[0];"],
    ["a measure without its bits", "OPENQASM 2.0;\nqreg q[2];\ncreg c[1];\nmeasure q -> c;"],
    ["an unterminated statement", "OPENQASM 2.0;\nqreg q[2];\nh q[0]"],
    ["a huge text", `QINIT 1\n${"H q[0]\n".repeat(200_000)}`],
  ])("refuses %s with a CircuitSyntaxError", (_, text) => {
    expect(() => parseCircuit(text)).toThrow(CircuitSyntaxError);
  });

  it("names the line it stopped at", () => {
    expect(() => parseCircuit("QINIT 2\nH q[0]\nFOO q[9]")).toThrow(/line 3/);
    expect(() => parseCircuit("OPENQASM 2.0;\nqreg q[1];\n\nh q[3];")).toThrow(/line 4/);
  });

  it("skips gate definitions and reads whole-register operations bit by bit", () => {
    const circuit = parseCircuit(
      'OPENQASM 2.0;\ninclude "qelib1.inc";\ngate bell a, b {\n  h a;\n  cx a, b;\n}\nqreg q[2];\nqreg r[1];\ncreg c[2];\nbell q[0], r[0];\nh q;\nmeasure q -> c;',
    );
    expect(circuit.qubits).toBe(3);
    expect(circuit.operations.map((op) => op.name)).toEqual(["bell", "h", "h", "measure", "measure"]);
    expect(circuit.operations.at(-1)).toMatchObject({ targets: [1], clbits: [1] });
  });
});

describe("histogram", () => {
  it("draws two outcomes with counts and probabilities, most frequent first", () => {
    const svg = histogramSvg(outcomesOf({ counts: { "00": 480, "11": 520 } })!);
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg.match(/class="bar"/g)).toHaveLength(2);
    expect(svg.indexOf(">11<")).toBeLessThan(svg.indexOf(">00<"));
    expect(svg).toContain("520 (52.0 %)");
  });

  it("keeps 1,024 outcomes readable: the most frequent bars, the rest summed in one", () => {
    const outcomes = Object.fromEntries(
      Array.from({ length: 1024 }, (_, i) => [i.toString(2).padStart(10, "0"), 1 + (i % 37)]),
    );
    const svg = histogramSvg(outcomes);
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg.match(/class="bar"/g)).toHaveLength(48);
    expect(svg).toMatch(/>976 others</);
    expect(Number(/height="(\d+)"/.exec(svg)![1])).toBeLessThan(1000);
  });

  it("finds outcomes in the shapes results come in, and nothing in the others", () => {
    expect(outcomesOf({ probabilities: { "0": 0.25, "1": 0.75 } })).toEqual({ "0": 0.25, "1": 0.75 });
    expect(outcomesOf({ "01": 3 })).toEqual({ "01": 3 });
    for (const result of [null, "text", [1, 2], { counts: {} }, { counts: { a: -1 } }, { error: "timeout" }])
      expect(outcomesOf(result)).toBeUndefined();
  });
});
