/**
 * One naming rule between the library and HTTP: an option's name on the wire is its library
 * name in snake_case (`idPrefix` ↔ `id_prefix`, `dryRun` ↔ `dry_run`), except `search`, which is
 * `q` as the Python gateway names it. The server reads requests with {@link fromWire}; the typed
 * client writes them with {@link toWire}.
 */

type Snake<S extends string> = S extends `${infer Head}${infer Tail}`
  ? `${Head extends Lowercase<Head> ? Head : `_${Lowercase<Head>}`}${Snake<Tail>}`
  : S;
type Camel<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Head}${Capitalize<Camel<Tail>>}` : S;

/** The one name that is not its library name in snake_case. */
const RENAMED = { search: "q" } as const;
type Renamed = typeof RENAMED;

export type WireNames<T> = {
  [K in keyof T as K extends keyof Renamed ? Renamed[K] : Snake<K & string>]: T[K];
};
export type LibraryNames<T> = {
  [K in keyof T as K extends Renamed[keyof Renamed] ? "search" : Camel<K & string>]: T[K];
};

const snake = (name: string) =>
  Object.hasOwn(RENAMED, name) ? RENAMED[name as keyof Renamed] : name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const camel = (name: string) =>
  name === RENAMED.search ? "search" : name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** Options in the wire's names; values left undefined are left out. */
export const toWire = <T extends object>(options: T): WireNames<T> =>
  Object.fromEntries(
    Object.entries(options).flatMap(([name, value]) => (value === undefined ? [] : [[snake(name), value]])),
  ) as WireNames<T>;

/** A request's values in the library's names. */
export const fromWire = <T extends object>(values: T): LibraryNames<T> =>
  Object.fromEntries(Object.entries(values).map(([name, value]) => [camel(name), value])) as LibraryNames<T>;
