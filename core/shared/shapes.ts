/**
 * The pieces results are described with. Each result is a valibot schema beside the operation
 * that gives it: its type follows from the schema, and so does the API's document of it.
 */
import * as v from "valibot";

export const Text = v.string();
export const Whole = v.pipe(v.number(), v.integer());
export const Stamp = v.pipe(v.string(), v.description("ISO-8601 UTC, in the stored form"));
export const Ids = v.array(v.string());
