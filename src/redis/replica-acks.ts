import { Logger } from '@nestjs/common';
import { Cluster } from 'ioredis';
import { isNoScript, RedisClient, scriptCall, ScriptCommands } from './redis.scripts';

/**
 * How long a revocation waits for a replica's acknowledgement. A healthy replica acknowledges
 * within a round trip (well under a millisecond on a LAN); past this, the replica is away or far
 * behind, and the revocation is answered anyway (see ReplicaAcks). Well below the command
 * timeout (500 ms), which would otherwise fail the WAIT first.
 */
export const REPLICA_ACK_TIMEOUT_MS = 100;
/** After a write no replica acknowledged in time, revocations stop waiting for this long. */
const UNACKED_PAUSE_MS = 10_000;
/** A Cluster redirection reply: `MOVED <slot> <host:port>` (or ASK, during a resharding). */
const REDIRECTION = /^(?:MOVED|ASK) (\d+) (\S+)/;

/** The writes that end something (sessions, tokens, a user's rights): they must outlive a failover. */
export type AckedCommands = Pick<
  ScriptCommands,
  'revoke' | 'sessionEndAll' | 'rotate' | 'userReplace' | 'userDelete'
> & {
  set(key: string, value: string, mode: 'PXAT', at: number): Promise<'OK' | null>;
};
type Acked<K extends keyof AckedCommands> = Awaited<ReturnType<AckedCommands[K]>>;
type Invoke = (...args: unknown[]) => unknown;

/**
 * Redis replicates asynchronously: a write the master has answered may not have reached a replica
 * when the master dies, and the replica promoted in its place (Sentinel, Cluster) never heard of
 * it. A logged-out session would come back. So a revocation goes, in one pipeline on one
 * connection, with `WAIT 1 <timeout>`, and is answered only once a replica has it: a failover
 * that promotes that replica (with one replica per master, the only candidate) keeps it.
 *
 * What it does not promise: when no replica acknowledges within REPLICA_ACK_TIMEOUT_MS (replicas
 * down or lagging), the revocation is answered anyway (it is on the master) with a warning, and
 * revocations stop waiting for UNACKED_PAUSE_MS; a failover in that window can lose it. Refusing
 * instead would turn a replica outage into a logout outage. Redis itself can refuse such writes
 * (`min-replicas-to-write`), which we answer with 503.
 *
 * WAIT blocks the connection it is sent on, so these writes use a connection of their own: a
 * slow replica never holds back the other store calls. Standalone Redis has no failover, so
 * `replicas` is 0 there, and the commands go as they are.
 */
export class ReplicaAcks {
  private readonly logger = new Logger(ReplicaAcks.name);
  private pausedUntil = 0;

  constructor(
    private readonly client: RedisClient,
    private readonly replicas: number,
    private readonly timeoutMs = REPLICA_ACK_TIMEOUT_MS,
  ) {}

  /** Runs one of the AckedCommands; its reply comes once a replica has it (see above). */
  async run<K extends keyof AckedCommands>(
    name: K,
    ...args: Parameters<AckedCommands[K]>
  ): Promise<Acked<K>> {
    if (this.replicas === 0 || Date.now() < this.pausedUntil) {
      return (this.client[name] as Invoke).apply(this.client, args) as Promise<Acked<K>>;
    }
    try {
      return await this.acknowledged(name, args);
    } catch (error) {
      if (!(await this.rerouted(error))) throw error;
      return this.acknowledged(name, args);
    }
  }

  private async acknowledged<K extends keyof AckedCommands>(
    name: K,
    args: Parameters<AckedCommands[K]>,
    source: 'evalsha' | 'eval' = 'evalsha',
  ): Promise<Acked<K>> {
    const pipeline = this.client.pipeline();
    const script = scriptCall(name, args);
    if (!script) (pipeline as unknown as Record<K, Invoke>)[name].apply(pipeline, args);
    else if (source === 'evalsha') pipeline.evalsha(script.sha, ...script.params);
    else pipeline.eval(script.lua, ...script.params);
    const [command, wait] = (await pipeline.wait(this.replicas, this.timeoutMs).exec()) ?? [];
    // Not in the server's script cache (restarted, failed over): the script did not run.
    if (source === 'evalsha' && isNoScript(command?.[0]))
      return this.acknowledged(name, args, 'eval');
    if (!command || command[0]) throw command?.[0] ?? new Error('no reply');
    this.observe(wait && !wait[0] ? Number(wait[1]) : 0);
    return command[1] as Acked<K>;
  }

  private observe(acknowledged: number): void {
    if (acknowledged >= this.replicas) return;
    this.pausedUntil = Date.now() + UNACKED_PAUSE_MS;
    this.logger.warn(
      `No replica acknowledged a revocation within ${this.timeoutMs} ms: revocations are answered ` +
        `without waiting for ${UNACKED_PAUSE_MS / 1000} s, and a failover meanwhile may lose them`,
    );
  }

  /**
   * A Cluster pipeline whose slot moved (a failover, a resharding) gets MOVED, which ioredis
   * follows only when every command of the pipeline got the same error (WAIT answers otherwise):
   * the script did not run. Refreshes the slot map; true when the call is worth one more try.
   *
   * Not when the redirection names a master the slot map already has and this client has no
   * live connection to: the slot did not move, ioredis sent the pipeline to another node only
   * because that master's connection is gone (a SIGKILLed master whose replica is not promoted
   * yet). A second try would wait out ioredis's failover retries (600 to 800 ms measured) on top
   * of whatever the first try waited: past the contract's 1 s. The caller answers 503 now; the
   * slot map is refreshed all the same, without waiting, so that a later call finds the promoted
   * replica (or the master back). A redirection to a master the map already has but that is
   * connected is a slot that did move, under a map another call refreshed meanwhile (several
   * revocations in flight across a failover): worth the try.
   */
  private async rerouted(error: unknown): Promise<boolean> {
    const client = this.client;
    const redirection = REDIRECTION.exec(String((error as Error).message));
    if (!(client instanceof Cluster) || !redirection) return false;
    const [, slot, target] = redirection;
    const moved = client.slots[Number(slot)]?.[0] !== target || connectedTo(client, target);
    const refreshed = new Promise<void>((resolve) => client.refreshSlotsCache(() => resolve()));
    if (!moved) return false;
    await refreshed;
    return true;
  }
}

/** Whether `client` holds a ready connection to the node `host:port`. */
function connectedTo(client: Cluster, target: string): boolean {
  return client
    .nodes('all')
    .some(
      (node) => `${node.options.host}:${node.options.port}` === target && node.status === 'ready',
    );
}
