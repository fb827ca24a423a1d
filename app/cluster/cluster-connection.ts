import pg from 'pg';
import { IDLE_IN_TRANSACTION_TIMEOUT_MS } from '../database/data-source-options.js';

/** The advisory-lock namespace of the server sessions (two-key form: namespace, server's key). */
export const SESSION_LOCK_NAMESPACE = 0x50554c53; // "PULS"
/** The NOTIFY channel every server listens on. */
export const CLUSTER_CHANNEL = 'pulse_cluster';

export interface ConnectionEvents {
  /** A notification on the cluster channel (the raw payload). */
  notification(payload: string): void;
  /** The connection is gone (closed, broken, or a query timed out): this server holds no session now. */
  lost(reason: string): void;
}

/**
 * The one connection of a server that is not TypeORM's: it holds the server's session lock (the
 * others see the server alive exactly while this connection is open), LISTENs on the cluster channel,
 * and runs the lease renewals, each with a deadline so a database that stops answering (cut off, not
 * closed) is noticed within one renewal interval instead of when TCP gives up.
 */
export class ClusterConnection {
  private client: pg.Client | null = null;
  private closedByUs = false;

  constructor(
    private readonly url: string,
    private readonly events: ConnectionEvents,
    private readonly queryTimeoutMs: number,
  ) {}

  get open(): boolean {
    return this.client !== null;
  }

  /** Connects, takes the session lock `lockKey` (false when another session holds it) and listens. */
  async connect(lockKey: number): Promise<boolean> {
    const client = new pg.Client({
      connectionString: this.url,
      application_name: 'lillydoo-pulse cluster',
      keepAlive: true,
      options: `-c idle_in_transaction_session_timeout=${IDLE_IN_TRANSACTION_TIMEOUT_MS}`,
      connectionTimeoutMillis: this.queryTimeoutMs,
    });
    client.on('error', () => undefined); // reported through 'end' below
    this.closedByUs = false;
    await withDeadline(client.connect(), this.queryTimeoutMs, 'connecting to PostgreSQL').catch(async (error: unknown) => {
      destroy(client);
      throw error;
    });
    try {
      const locked = await withDeadline(
        client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS locked', [SESSION_LOCK_NAMESPACE, lockKey]),
        this.queryTimeoutMs,
        'taking the session lock',
      );
      if (!locked.rows[0]?.locked) {
        await client.end().catch(() => undefined);
        return false;
      }
      await withDeadline(client.query(`LISTEN ${CLUSTER_CHANNEL}`), this.queryTimeoutMs, 'listening');
    } catch (error) {
      destroy(client);
      throw error;
    }
    client.on('notification', (message) => {
      if (message.channel === CLUSTER_CHANNEL && message.payload !== undefined) this.events.notification(message.payload);
    });
    client.on('end', () => {
      if (this.client !== client) return;
      this.client = null;
      if (!this.closedByUs) this.events.lost('the connection to PostgreSQL closed');
    });
    this.client = client;
    return true;
  }

  /** One statement; a statement that does not answer in time drops the whole connection (and the session with it). */
  async query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
    const client = this.client;
    if (!client) throw new Error('not connected to PostgreSQL');
    try {
      const result = await withDeadline(client.query<R>(sql, params), this.queryTimeoutMs, 'a cluster statement');
      return result.rows;
    } catch (error) {
      if (error instanceof DeadlineError) this.drop(error.message);
      throw error;
    }
  }

  /** Statements in one transaction (rolled back when one fails). */
  async transaction<T>(work: () => Promise<T>): Promise<T> {
    await this.query('BEGIN');
    try {
      const result = await work();
      await this.query('COMMIT');
      return result;
    } catch (error) {
      if (this.client) await this.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  /** Drops the connection at once (the session lock goes with it), e.g. when it stopped answering. */
  drop(reason: string): void {
    const client = this.client;
    if (!client) return;
    this.client = null;
    destroy(client);
    this.events.lost(reason);
  }

  /** A clean goodbye: the lock is released with the session. */
  async close(): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.closedByUs = true;
    this.client = null;
    await withDeadline(client.end(), this.queryTimeoutMs, 'closing').catch(() => destroy(client));
  }
}

class DeadlineError extends Error {}

function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DeadlineError(`PostgreSQL did not answer ${what} within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Closes the socket without waiting for the server (which may not answer). */
function destroy(client: pg.Client): void {
  const stream = (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream;
  stream?.destroy();
  void client.end().catch(() => undefined);
}
