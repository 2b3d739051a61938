import { setTimeout as sleep } from 'node:timers/promises';
import { uuidv7 } from '../../common/crypto/ids';
import { TestRedis } from '../../../test/support/redis';
import { RedisSessionEvents } from './redis-session-events';

describe('RedisSessionEvents', () => {
  const redis = new TestRedis();
  const drivers: RedisSessionEvents[] = [];
  afterAll(async () => {
    await Promise.all(drivers.map((d) => d.onApplicationShutdown()));
    await redis.cleanup();
  });

  async function driver(
    subPrefix: string,
  ): Promise<{ events: RedisSessionEvents; got: string[][] }> {
    const events = new RedisSessionEvents(await redis.connect(subPrefix));
    drivers.push(events);
    const got: string[][] = [];
    events.onEnded((ids) => got.push(ids));
    return { events, got };
  }

  it('delivers ended session ids to every instance under the same key prefix only', async () => {
    const a = await driver('deployment:');
    const b = await driver('deployment:');
    const stranger = await driver('other-deployment:');
    const ids = [uuidv7(), uuidv7()];
    // Subscriptions complete in the background: publish until B has heard it (bounded).
    for (let i = 0; i < 40 && b.got.length === 0; i++) {
      await a.events.publishEnded(ids);
      await sleep(50);
    }
    expect(b.got[0]).toEqual(ids);
    expect(a.got[0]).toEqual(ids);
    const foreign = uuidv7();
    for (let i = 0; i < 40 && stranger.got.length === 0; i++) {
      await stranger.events.publishEnded([foreign]);
      await sleep(50);
    }
    expect(stranger.got[0]).toEqual([foreign]);
    expect([...a.got, ...b.got].flat()).not.toContain(foreign);
    expect(stranger.got.flat()).not.toContain(ids[0]);
  });
});
