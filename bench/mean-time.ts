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
