/**
 * How close the hardware got: a task's measured outcomes beside the ideal distribution of its
 * circuit, with their total variation distance and Hellinger fidelity; and several tasks' results
 * side by side, with the distance between each pair.
 *
 * Outcomes are bit strings with `c[0]` rightmost. Results that name them otherwise are read so:
 * hexadecimal keys (`0x3`) as the bits they stand for, spaces between registers dropped. Where two
 * distributions have different widths, both are read over the rightmost bits they share.
 */
import * as v from "valibot";
import { CIRCUIT_FORMATS, circuitOf } from "./circuits.ts";
import { parseCircuit } from "../quantum/drawing/index.ts";
import { outcomesOf } from "../quantum/drawing/histogram.ts";
import { CacheError, NotFoundError } from "../shared/errors.ts";
import { NotSimulable, simulate } from "../quantum/simulation/statevector.ts";
import type { Task } from "../store/task-rows.ts";
import { TaskIdSchema, parseInput } from "../shared/validation.ts";
import { Text, Whole } from "../shared/shapes.ts";

const DistributionSchema = v.pipe(
  v.record(Text, v.number()),
  v.description("Outcome (bits, c[0] rightmost) → probability"),
);
/** Outcome → probability. */
export type Distribution = v.InferOutput<typeof DistributionSchema>;

export const TaskAnalysisSchema = v.object({
  task_id: Text,
  backend: Text,
  status: Text,
  circuit: v.pipe(
    v.nullable(v.object({ format: v.picklist(CIRCUIT_FORMATS), language: v.nullable(Text), qubits: Whole })),
    v.description("The circuit simulated: the submitted one, or the compiled one where that is the one that can be"),
  ),
  not_simulated: v.pipe(v.nullable(Text), v.description("Why there is no ideal distribution, when there is none")),
  ideal: v.nullable(DistributionSchema),
  measured: v.pipe(
    v.nullable(DistributionSchema),
    v.description("The result's outcomes as probabilities; null while the task has none"),
  ),
  shots: v.pipe(v.nullable(Whole), v.description("Shots counted in the result, where it holds counts")),
  tvd: v.pipe(v.nullable(v.number()), v.description("Total variation distance, 0 (same) to 1 (disjoint)")),
  hellinger_fidelity: v.pipe(v.nullable(v.number()), v.description("(Σ √(p·q))², 1 for the same distribution")),
});
export type TaskAnalysis = v.InferOutput<typeof TaskAnalysisSchema>;

export const ComparisonSchema = v.object({
  tasks: v.array(
    v.object({
      task_id: Text,
      backend: Text,
      status: Text,
      shots: v.nullable(Whole),
      measured: v.nullable(DistributionSchema),
    }),
  ),
  outcomes: v.pipe(v.array(Text), v.description("Every outcome any of them measured, in order")),
  tvd: v.pipe(
    v.array(v.array(v.nullable(v.number()))),
    v.description("tvd[i][j] between tasks i and j; null where either has no result"),
  ),
});
export type Comparison = v.InferOutput<typeof ComparisonSchema>;

/** Tasks a comparison takes. */
export const CompareSchema = v.pipe(
  v.array(TaskIdSchema, "must be an array of task ids"),
  v.minLength(2, "must name at least 2 tasks"),
  v.maxLength(6, "must name at most 6 tasks"),
);

/** An outcome key as bits: `0x…` read as hexadecimal, spaces between registers dropped. */
function bitsOf(key: string, width: number): string | undefined {
  const trimmed = key.replace(/\s+/g, "");
  if (/^0x[0-9a-f]+$/i.test(trimmed)) return BigInt(trimmed).toString(2).padStart(width, "0");
  return /^[01]+$/.test(trimmed) ? trimmed : undefined;
}

/** How many bits an outcome key stands for: a hexadecimal key its value's, a bit string its length. */
function bitWidth(key: string): number {
  const trimmed = key.replace(/\s+/g, "");
  return /^0x[0-9a-f]+$/i.test(trimmed) ? BigInt(trimmed).toString(2).length : trimmed.length;
}

/** The widest outcome any of the tasks' results holds, in bits. */
const widestOf = (tasks: readonly Task[]) =>
  Math.max(0, ...tasks.flatMap((task) => Object.keys(outcomesOf(task.result) ?? {}).map(bitWidth)));

/**
 * The result's outcomes as probabilities, and the shots where they are counts. Hexadecimal keys
 * become bit strings of one width: at least `width` (the circuit's, or the widest of the tasks
 * compared), and as wide as the widest key.
 */
function measuredOf(task: Task, width: number): { distribution: Distribution; shots: number | null } | null {
  const outcomes = outcomesOf(task.result);
  if (!outcomes) return null;
  width = Math.max(width, widestOf([task]));
  const total = Object.values(outcomes).reduce((sum, n) => sum + n, 0);
  if (total <= 0) return null;
  const distribution: Distribution = {};
  for (const [key, n] of Object.entries(outcomes)) {
    const bits = bitsOf(key, width);
    if (bits === undefined) return null;
    distribution[bits] = (distribution[bits] ?? 0) + n / total;
  }
  return { distribution, shots: Object.values(outcomes).every(Number.isInteger) ? total : null };
}

/** Both distributions over the rightmost bits they share. */
function aligned(p: Distribution, q: Distribution): [Distribution, Distribution] {
  const width = (d: Distribution) => Math.min(...Object.keys(d).map((key) => key.length));
  const bits = Math.min(width(p), width(q));
  const cut = (d: Distribution) => {
    const out: Distribution = {};
    for (const [key, value] of Object.entries(d)) {
      const kept = key.slice(key.length - bits);
      out[kept] = (out[kept] ?? 0) + value;
    }
    return out;
  };
  return [cut(p), cut(q)];
}

export function totalVariation(p: Distribution, q: Distribution): number {
  const [a, b] = aligned(p, q);
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  let sum = 0;
  for (const key of keys) sum += Math.abs((a[key] ?? 0) - (b[key] ?? 0));
  return Math.min(1, sum / 2);
}

export function hellingerFidelity(p: Distribution, q: Distribution): number {
  const [a, b] = aligned(p, q);
  let overlap = 0;
  for (const [key, value] of Object.entries(a)) overlap += Math.sqrt(value * (b[key] ?? 0));
  return Math.min(1, overlap ** 2);
}

/** The ideal distribution of the first of the task's circuits that can be simulated, or why none can. */
function idealOf(task: Task) {
  let reason = "the task records no circuit";
  for (const format of ["source", "compiled"] as const) {
    const view = circuitOf(task, format);
    if (view.circuit === null) continue;
    if (typeof view.circuit !== "string") {
      reason = `its ${format} circuit is not text`;
      continue;
    }
    try {
      const circuit = parseCircuit(view.circuit);
      const ideal = simulate(circuit);
      return { ideal, circuit: { format, language: view.language, qubits: circuit.qubits }, reason: null };
    } catch (error) {
      if (!(error instanceof NotSimulable) && !(error instanceof CacheError)) throw error;
      reason = error.message.replace(/^The circuit cannot be drawn: /, "it cannot be read: ");
      if (format === "source") continue;
    }
  }
  return { ideal: undefined, circuit: null, reason };
}

/** What a task's outcomes say against its circuit, and against each other. */
export interface Analysis {
  /**
   * The task's measured outcomes beside the ideal distribution of its circuit (simulated where it
   * has at most 16 qubits of known gates, measured at its end), with their total variation
   * distance and Hellinger fidelity; where there is no ideal, the reason.
   */
  analyse(taskId: string): Promise<TaskAnalysis>;
  /** Two to six tasks' measured outcomes side by side, with the total variation distance of each pair. */
  compare(taskIds: readonly string[]): Promise<Comparison>;
}

/** Reads used to find a task wherever it is. */
interface TaskLookup {
  get(taskId: string): Promise<Task | undefined>;
  getArchived(taskId: string): Promise<Task | undefined>;
}

export function analysisOperations(lookup: TaskLookup): Analysis {
  const find = async (taskId: string) => {
    const task = (await lookup.get(taskId)) ?? (await lookup.getArchived(taskId));
    if (!task) throw new NotFoundError(taskId, "tasks");
    return task;
  };
  return {
    async analyse(taskId: string): Promise<TaskAnalysis> {
      const task = await find(parseInput(TaskIdSchema, taskId, "task_id"));
      const { ideal, circuit, reason } = idealOf(task);
      const measured = measuredOf(task, ideal?.bits ?? 0);
      const both = ideal && measured;
      return {
        task_id: task.task_id,
        backend: task.backend,
        status: task.status,
        circuit,
        not_simulated: ideal ? null : reason,
        ideal: ideal?.probabilities ?? null,
        measured: measured?.distribution ?? null,
        shots: measured?.shots ?? null,
        tvd: both ? totalVariation(ideal.probabilities, measured.distribution) : null,
        hellinger_fidelity: both ? hellingerFidelity(ideal.probabilities, measured.distribution) : null,
      };
    },

    async compare(taskIds: readonly string[]): Promise<Comparison> {
      const ids = parseInput(CompareSchema, taskIds, "task_ids");
      const tasks = await Promise.all(ids.map(find));
      const width = widestOf(tasks);
      const results = tasks.map((task) => ({ task, measured: measuredOf(task, width) }));
      const outcomes = [
        ...new Set(results.flatMap(({ measured }) => Object.keys(measured?.distribution ?? {}))),
      ].sort();
      return {
        tasks: results.map(({ task, measured }) => ({
          task_id: task.task_id,
          backend: task.backend,
          status: task.status,
          shots: measured?.shots ?? null,
          measured: measured?.distribution ?? null,
        })),
        outcomes,
        tvd: results.map((a) =>
          results.map((b) =>
            a.measured && b.measured ? totalVariation(a.measured.distribution, b.measured.distribution) : null,
          ),
        ),
      };
    },
  };
}
