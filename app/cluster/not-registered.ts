/** This server's row is gone (pruned, or deleted by hand): it registers again at the next renewal. */
export class NotRegistered extends Error {
  override name = 'NotRegistered';
}
