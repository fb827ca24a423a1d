/**
 * Waits for `promise` at most `ms` (a feature writing what it decided as it drops shards must not hold up
 * the hand-over when the database does not answer: its writes are fenced, so a late one does no harm).
 */
export async function settleWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise.catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, ms)))]).finally(() =>
    clearTimeout(timer),
  );
}
