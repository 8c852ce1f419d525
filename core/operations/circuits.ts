/**
 * The circuits of a task: the one submitted (in its metadata), the compiled one (v3's
 * `compiled_circuit_json`), and the one the backend executed.
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

/** Metadata keys that hold the submitted circuit, most specific first. */
const SOURCE_KEYS = ["circuit_ir", "originir", "qasm", "openqasm", "source_circuit", "circuit", "ir"];
/** Metadata keys that hold what the backend actually ran. */
const EXECUTED_KEYS = ["executed_circuit", "executed_originir", "executed_qasm"];
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
  return key.replace(/^(executed_|source_)/, "");
}

function compiledOf(task: Task): Found | undefined {
  const compiled = task.compiled_circuit;
  if (!compiled || typeof compiled !== "object") return undefined;
  const key = COMPILED_ORDER.find((name) => compiled[name] != null) ?? Object.keys(compiled)[0];
  return key === undefined ? undefined : { key, value: compiled[key] };
}

/** The circuit of `task` in `format`. */
export function circuitOf(task: Task, format: CircuitFormat): CircuitView {
  let found: Found | undefined;
  let fallback: CircuitView["fallback"];
  if (format === "source") found = findKey(task.metadata, SOURCE_KEYS);
  else if (format === "compiled") found = compiledOf(task);
  else {
    // What the backend ran, else what it was given to run.
    const ran = findKey(task.metadata, EXECUTED_KEYS);
    const compiled = ran ? undefined : compiledOf(task);
    const source = ran || compiled ? undefined : findKey(task.metadata, SOURCE_KEYS);
    found = ran ?? compiled ?? source;
    fallback = compiled ? "compiled" : source ? "source" : undefined;
  }
  const language = !found ? null : format === "compiled" ? found.key : languageOf(found);
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
