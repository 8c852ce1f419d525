/** Mean milliseconds per call of `fn`, repeating until `budgetMs` is spent (at least 3 calls, after one warm-up). */
export async function meanMs(fn: () => Promise<unknown>, budgetMs: number): Promise<number> {
  await fn();
  let calls = 0;
  const start = performance.now();
  while (calls < 3 || performance.now() - start < budgetMs) {
    await fn();
    calls++;
  }
  return (performance.now() - start) / calls;
}

/** Mean milliseconds of `fn` alone, each call made right after `before` (whose time is not counted). */
export async function meanMsAfter(
  before: () => Promise<unknown>,
  fn: () => Promise<unknown>,
  budgetMs: number,
): Promise<number> {
  let spent = 0;
  let calls = 0;
  const start = performance.now();
  while (calls < 4 || performance.now() - start < budgetMs) {
    await before();
    const started = performance.now();
    await fn();
    // The first call warms up.
    if (calls++ > 0) spent += performance.now() - started;
  }
  return spent / (calls - 1);
}
