/**
 * The link between a remote role (poller, agent) and the server: `Link.open(...)` gives the client, the
 * disk outbox and the batch sender in one. Role-neutral: it sends batches of JSON items to a path.
 */
export { Link, type OpenLinkOptions } from './link.js';
export { BatchSender, type BatchSenderOptions, type LinkState, type LinkStats } from './batch-sender.js';
export { DiskOutbox, type DiskOutboxOptions, type DropReason, type OutboxBatch, type OutboxStats } from './disk-outbox.js';
export {
  ServerClient,
  ServerUnreachable,
  answerMessage,
  type LinkRequest,
  type LinkResponse,
  type LinkTransport,
} from './server-client.js';
export { backoffDelayMs, count, counted, duration } from './backoff.js';
