/**
 * The circuits of a task: the one submitted, the compiled one and the one the backend executed,
 * picked as the Python package stores them and its gateway reads them: this cache's compiled
 * column first (v3's `compiled_circuit_json`), then the task's metadata, then its result, under
 * the keys that package and its gateway write (`compiled_circuit_ir`, `executed_circuit_ir`, …).
 */
import { NotFoundError } from "../shared/errors.ts";
import type { Task } from "../store/task-rows.ts";
import * as v from "valibot";
import { TaskIdSchema, parseInput } from "../shared/validation.ts";
import { Text } from "../shared/shapes.ts";

export const CIRCUIT_FORMATS = ["source", "compiled", "executed"] as const;
export type CircuitFormat = (typeof CIRCUIT_FORMATS)[number];
export const CircuitFormatSchema = v.picklist(CIRCUIT_FORMATS, `must be one of ${CIRCUIT_FORMATS.join(", ")}`);

/** A circuit of a task; `circuit` is null when the task has none of that format. */
export const CircuitViewSchema = v.object({
  task_id: Text,
  format: v.picklist(CIRCUIT_FORMATS),
  language: v.pipe(v.nullable(Text), v.description("originir, qasm, ir, or the key it was stored under")),
  circuit: v.unknown(),
  fallback: v.optional(
    v.pipe(
      v.picklist(["compiled", "source"]),
      v.description("Set when the task records no executed circuit and this is the one it fell back to"),
    ),
  ),
});
export type CircuitView = v.InferOutput<typeof CircuitViewSchema>;

/** Keys that hold the submitted circuit, most specific first: the gateway's, then this cache's `ir`. */
const SOURCE_KEYS = [
  "circuit_ir",
  "source_circuit_ir",
  "submitted_circuit_ir",
  "originir",
  "origin_ir",
  "qasm",
  "qasm2",
  "openqasm",
  "circuit",
  "source_circuit",
  "submitted_circuit",
  "ir",
];
/** Keys that hold the compiled circuit, where the package writes it into the metadata. */
const COMPILED_KEYS = [
  "compiled_circuit_ir",
  "compiled_originir",
  "compiled_origin_ir",
  "compiled_qasm",
  "transpiled_qasm",
  "compiled_circuit",
  "transpiled_circuit",
];
/** Keys that hold what the backend actually ran. */
const EXECUTED_KEYS = [
  "executed_circuit_ir",
  "execution_circuit_ir",
  "scheduled_circuit_ir",
  "executed_originir",
  "executed_qasm",
  "executed_circuit",
  "scheduled_circuit",
];
/** Preferred languages when a compiled circuit has several. */
const COMPILED_ORDER = ["originir", "qasm", "ir"];
/** How deep into nested metadata to look; metadata is user data and may be deep or cyclic-looking. */
const MAX_DEPTH = 4;

type Found = { key: string; value: unknown };

/** Finds the first of `keys` in `data`, shallowest level first (breadth-first). */
function findKey(data: unknown, keys: readonly string[]): Found | undefined {
  let level: unknown[] = [data];
  for (let depth = 0; depth <= MAX_DEPTH && level.length > 0; depth++) {
    const next: unknown[] = [];
    for (const node of level) {
      if (!node || typeof node !== "object" || Array.isArray(node)) continue;
      const record = node as Record<string, unknown>;
      for (const key of keys) {
        const value = record[key];
        if (value !== undefined && value !== null && value !== "") return { key, value };
      }
      next.push(...Object.values(record));
    }
    level = next;
  }
  return undefined;
}

/** Names the language of a circuit from its text, falling back to the key it was found under. */
function languageOf({ key, value }: Found): string {
  if (typeof value !== "string") return "ir";
  if (/^\s*OPENQASM/i.test(value)) return "qasm";
  if (/^\s*QINIT\b/im.test(value)) return "originir";
  return key.replace(/^(executed_|execution_|scheduled_|compiled_|transpiled_|source_|submitted_)/, "");
}

/** The first of `keys` in the task's metadata, else in its result, as the gateway looks. */
const pick = (task: Task, keys: readonly string[]) => findKey(task.metadata, keys) ?? findKey(task.result, keys);

/** This cache's compiled column, keyed by format; undefined where the task has none there. */
function compiledColumnOf(task: Task): Found | undefined {
  const compiled = task.compiled_circuit;
  if (!compiled || typeof compiled !== "object") return undefined;
  const key = COMPILED_ORDER.find((name) => compiled[name] != null) ?? Object.keys(compiled)[0];
  return key === undefined ? undefined : { key, value: compiled[key] };
}

/** The compiled circuit and its language: the column's key names it, a metadata circuit its text. */
function compiledOf(task: Task): { found: Found; language: string } | undefined {
  const column = compiledColumnOf(task);
  if (column) return { found: column, language: column.key };
  const stored = pick(task, COMPILED_KEYS);
  return stored && { found: stored, language: languageOf(stored) };
}

/** The circuit of `task` in `format`. */
export function circuitOf(task: Task, format: CircuitFormat): CircuitView {
  let found: Found | undefined;
  let language: string | null = null;
  let fallback: CircuitView["fallback"];
  const compiled = format === "source" ? undefined : compiledOf(task);
  if (format === "source") found = pick(task, SOURCE_KEYS);
  else if (format === "compiled") found = compiled?.found;
  else {
    // What the backend ran, else what it was given to run.
    const ran = pick(task, EXECUTED_KEYS);
    const source = ran || compiled ? undefined : pick(task, SOURCE_KEYS);
    found = ran ?? compiled?.found ?? source;
    fallback = ran ? undefined : compiled ? "compiled" : source ? "source" : undefined;
  }
  if (found) language = format === "compiled" && compiled ? compiled.language : languageOf(found);
  return { task_id: task.task_id, format, language, circuit: found?.value ?? null, ...(fallback ? { fallback } : {}) };
}

/** A task's circuits, drawn in the form asked for. */
export interface Circuits {
  /** The circuit of an active or archived task in `format` (`source`, `compiled`, `executed`). */
  getCircuit(taskId: string, format?: CircuitFormat): Promise<CircuitView>;
}

/** Reads used to find a task wherever it is. */
interface TaskLookup {
  get(taskId: string): Promise<Task | undefined>;
  getArchived(taskId: string): Promise<Task | undefined>;
}

export function circuitOperations(lookup: TaskLookup): Circuits {
  return {
    async getCircuit(taskId: string, format: CircuitFormat = "source"): Promise<CircuitView> {
      const id = parseInput(TaskIdSchema, taskId, "task_id");
      const checked = parseInput(CircuitFormatSchema, format, "format");
      const task = (await lookup.get(id)) ?? (await lookup.getArchived(id));
      if (!task) throw new NotFoundError(id, "tasks");
      return circuitOf(task, checked);
    },
  };
}
