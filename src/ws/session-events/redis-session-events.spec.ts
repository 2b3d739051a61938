import { setTimeout as sleep } from 'node:timers/promises';
import { uuidv7 } from '../../common/crypto/ids';
import { TestRedis } from '../../../test/support/redis';
import { describeOnTopologies } from '../../../test/support/redis-topologies';
import { RedisSessionEvents } from './redis-session-events';

/** Fan-out through `redis`: every instance under one key prefix hears every message. */
function describeSessionEvents(redis: TestRedis): void {
  const drivers: RedisSessionEvents[] = [];
  afterAll(async () => {
    await Promise.all(drivers.map((d) => d.onApplicationShutdown()));
    await redis.cleanup();
  });

  async function driver(
    subPrefix: string,
  ): Promise<{ events: RedisSessionEvents; got: string[][]; evicted: string[][] }> {
    const events = new RedisSessionEvents(await redis.connect(subPrefix));
    drivers.push(events);
    const got: string[][] = [];
    const evicted: string[][] = [];
    events.onEnded((ids) => got.push(ids));
    events.onEvicted((ids) => evicted.push(ids));
    return { events, got, evicted };
  }

  /** Subscriptions complete in the background: publishes until `heard` has an entry (bounded). */
  async function publishUntilHeard(publish: () => Promise<void>, heard: unknown[]): Promise<void> {
    for (let i = 0; i < 40 && heard.length === 0; i++) {
      await publish();
      await sleep(50);
    }
  }

  it('delivers ended session ids to every instance under the same key prefix only', async () => {
    const a = await driver('deployment:');
    const b = await driver('deployment:');
    const stranger = await driver('other-deployment:');
    const ids = [uuidv7(), uuidv7()];
    await publishUntilHeard(() => a.events.publishEnded(ids), b.got);
    expect(b.got[0]).toEqual(ids);
    expect(a.got[0]).toEqual(ids);
    const foreign = uuidv7();
    await publishUntilHeard(() => stranger.events.publishEnded([foreign]), stranger.got);
    expect(stranger.got[0]).toEqual([foreign]);
    expect([...a.got, ...b.got].flat()).not.toContain(foreign);
    expect(stranger.got.flat()).not.toContain(ids[0]);
  });

  it('delivers evicted socket ids to every instance, never as ended sessions', async () => {
    const a = await driver('evictions:');
    const b = await driver('evictions:');
    const ids = [uuidv7(), uuidv7()];
    await publishUntilHeard(() => a.events.publishEvicted(ids), b.evicted);
    expect(b.evicted[0]).toEqual(ids);
    expect(a.evicted[0]).toEqual(ids);
    expect([...a.got, ...b.got]).toEqual([]);
    const ended = [uuidv7()];
    await a.events.publishEnded(ended);
    for (let i = 0; i < 40 && b.got.length === 0; i++) await sleep(25);
    expect(b.got).toEqual([ended]);
    expect(b.evicted.flat()).not.toContain(ended[0]);
  });
}

describe('RedisSessionEvents', () => describeSessionEvents(new TestRedis()));

describeOnTopologies('RedisSessionEvents', (topology) =>
  describeSessionEvents(new TestRedis(topology.driver)),
);
