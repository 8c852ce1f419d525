/**
 * Real circuits in both languages, written out here: Bell, GHZ-5, QFT-4, Grover-3, a random
 * 20-qubit circuit of 200 gates, and one of every gate kind. Each comes with what its drawing must
 * hold: wires and operations.
 */
export interface Sample {
  name: string;
  language: "originir" | "qasm";
  text: string;
  qubits: number;
  clbits: number;
  operations: number;
}

const qft = (n: number) => {
  const lines: [string, string][] = [];
  for (let i = 0; i < n; i++) {
    lines.push([`H q[${i}]`, `h q[${i}];`]);
    for (let j = i + 1; j < n; j++)
      lines.push([
        `CR q[${j}],q[${i}],(${(Math.PI / 2 ** (j - i)).toFixed(6)})`,
        `cu1(pi/${2 ** (j - i)}) q[${j}],q[${i}];`,
      ]);
  }
  for (let i = 0; i < Math.floor(n / 2); i++)
    lines.push([`SWAP q[${i}],q[${n - 1 - i}]`, `swap q[${i}],q[${n - 1 - i}];`]);
  return lines;
};

function pair(name: string, qubits: number, clbits: number, body: [string, string][], measured = 0): Sample[] {
  const measures: [string, string][] = Array.from({ length: measured }, (_, i) => [
    `MEASURE q[${i}],c[${i}]`,
    `measure q[${i}] -> c[${i}];`,
  ]);
  const all = [...body, ...measures];
  return [
    {
      name,
      language: "originir",
      qubits,
      clbits,
      operations: all.length,
      text: [`QINIT ${qubits}`, `CREG ${clbits}`, ...all.map(([o]) => o)].join("\n"),
    },
    {
      name,
      language: "qasm",
      qubits,
      clbits,
      operations: all.length,
      text: [
        "OPENQASM 2.0;",
        'include "qelib1.inc";',
        `qreg q[${qubits}];`,
        `creg c[${clbits}];`,
        ...all.map(([, q]) => q),
      ].join("\n"),
    },
  ];
}

function random(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

function randomCircuit(): [string, string][] {
  const next = random(7);
  const lines: [string, string][] = [];
  const single = [
    ["H", "h"],
    ["X", "x"],
    ["T", "t"],
    ["S", "s"],
  ];
  while (lines.length < 200) {
    const a = Math.floor(next() * 20);
    const b = (a + 1 + Math.floor(next() * 19)) % 20;
    const pick = next();
    if (pick < 0.4) {
      const [o, q] = single[Math.floor(next() * single.length)]!;
      lines.push([`${o} q[${a}]`, `${q} q[${a}];`]);
    } else if (pick < 0.7) lines.push([`CNOT q[${a}],q[${b}]`, `cx q[${a}],q[${b}];`]);
    else if (pick < 0.85) lines.push([`RZ q[${a}],(${next().toFixed(4)})`, `rz(${next().toFixed(4)}) q[${a}];`]);
    else lines.push([`CZ q[${a}],q[${b}]`, `cz q[${a}],q[${b}];`]);
  }
  return lines;
}

const grover3: [string, string][] = [
  ...[0, 1, 2].map((i): [string, string] => [`H q[${i}]`, `h q[${i}];`]),
  ["TOFFOLI q[0],q[1],q[2]", "ccx q[0],q[1],q[2];"],
  ...[0, 1, 2].map((i): [string, string] => [`H q[${i}]`, `h q[${i}];`]),
  ...[0, 1, 2].map((i): [string, string] => [`X q[${i}]`, `x q[${i}];`]),
  ["H q[2]", "h q[2];"],
  ["TOFFOLI q[0],q[1],q[2]", "ccx q[0],q[1],q[2];"],
  ["H q[2]", "h q[2];"],
  ...[0, 1, 2].map((i): [string, string] => [`X q[${i}]`, `x q[${i}];`]),
  ...[0, 1, 2].map((i): [string, string] => [`H q[${i}]`, `h q[${i}];`]),
];

const everyKind: [string, string][] = [
  ["H q[0]", "h q[0];"],
  ["RX q[1],(1.5708)", "rx(pi/2) q[1];"],
  ["U3 q[2],(0.1,0.2,0.3)", "u3(0.1,0.2,0.3) q[2];"],
  ["CNOT q[0],q[1]", "cx q[0],q[1];"],
  ["CZ q[1],q[2]", "cz q[1],q[2];"],
  ["CR q[0],q[2],(0.785)", "crz(pi/4) q[0],q[2];"],
  ["SWAP q[0],q[3]", "swap q[0],q[3];"],
  ["TOFFOLI q[0],q[1],q[3]", "ccx q[0],q[1],q[3];"],
  ["BARRIER q[0],q[1],q[2],q[3]", "barrier q[0],q[1],q[2],q[3];"],
  ["MYGATE q[1],q[2]", "mygate q[1],q[2];"],
  ["RESET q[3]", "reset q[3];"],
];

export const CORPUS: Sample[] = [
  ...pair(
    "Bell",
    2,
    2,
    [
      ["H q[0]", "h q[0];"],
      ["CNOT q[0],q[1]", "cx q[0],q[1];"],
    ],
    2,
  ),
  ...pair(
    "GHZ-5",
    5,
    5,
    [
      ["H q[0]", "h q[0];"],
      ...[1, 2, 3, 4].map((i): [string, string] => [`CNOT q[${i - 1}],q[${i}]`, `cx q[${i - 1}],q[${i}];`]),
    ],
    5,
  ),
  ...pair("QFT-4", 4, 4, qft(4), 4),
  ...pair("Grover-3", 3, 3, grover3, 3),
  ...pair("random 20-qubit, 200 gates", 20, 0, randomCircuit()),
  ...pair("every gate kind", 4, 4, everyKind, 4),
];

/** QFT on `n` qubits in OriginIR, for the drawing benchmark. */
export const qftOriginIr = (n: number) => [`QINIT ${n}`, `CREG ${n}`, ...qft(n).map(([o]) => o)].join("\n");
