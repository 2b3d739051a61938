import { Logger } from '@nestjs/common';
import { StoreUnavailableError } from '../common/errors/store-unavailable.error';
import { FailClosed } from './fail-closed';
import { attachCircuit, PROBE_INTERVAL_MS, StoreCircuit } from './store-circuit';

/** An error shaped like the ones ioredis rejects with. */
function redisError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return Object.assign(error, { command: { name: 'evalsha', args: ['k', '$argon2id$v=19$…'] } });
}
const timedOut = () => redisError('Error', 'Command timed out');

@FailClosed()
class FakeStore {
  calls = 0;
  constructor(
    readonly client: object,
    public answer: () => Promise<string>,
  ) {}

  async read(): Promise<string> {
    this.calls++;
    return this.answer();
  }

  /** A method that calls another one of the store, as findByLogin calls findById. */
  async readTwice(): Promise<string> {
    return `${await this.read()}${await this.read()}`;
  }
}

describe('FailClosed with a circuit in front of the client', () => {
  let probe: jest.Mock<Promise<string>, []>;
  let circuit: StoreCircuit;
  let store: FakeStore;

  beforeEach(() => {
    jest.useFakeTimers();
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    probe = jest.fn(() => Promise.reject(timedOut()));
    circuit = new StoreCircuit(probe, 'redis://test');
    const client = {};
    attachCircuit(client, circuit);
    store = new FakeStore(client, () => Promise.resolve('ok'));
  });

  afterEach(() => {
    circuit.dispose();
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('opens on a call that got no answer, then refuses calls at once without running them', async () => {
    store.answer = () => Promise.reject(timedOut());
    await expect(store.read()).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(circuit.isOpen).toBe(true);
    store.answer = () => Promise.resolve('ok');
    await expect(store.read()).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(store.calls).toBe(1);
  });

  it('probes while open and lets calls through again once Redis answers the probe', async () => {
    store.answer = () => Promise.reject(timedOut());
    await expect(store.read()).rejects.toBeInstanceOf(StoreUnavailableError);
    await jest.advanceTimersByTimeAsync(PROBE_INTERVAL_MS * 3);
    expect(probe).toHaveBeenCalledTimes(3);
    expect(circuit.isOpen).toBe(true);
    probe.mockResolvedValue('PONG');
    await jest.advanceTimersByTimeAsync(PROBE_INTERVAL_MS);
    expect(circuit.isOpen).toBe(false);
    store.answer = () => Promise.resolve('ok');
    await expect(store.readTwice()).resolves.toBe('okok');
  });

  it('stays closed on a reply: an OOM Redis answered, so only that call fails (503)', async () => {
    store.answer = () =>
      Promise.reject(
        redisError('ReplyError', "OOM command not allowed when used memory > 'maxmemory'."),
      );
    await expect(store.read()).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(circuit.isOpen).toBe(false);
  });

  it('stops probing once disposed', async () => {
    circuit.trip();
    circuit.dispose();
    await jest.advanceTimersByTimeAsync(PROBE_INTERVAL_MS * 4);
    expect(probe).not.toHaveBeenCalled();
  });
});

describe('FailClosed error mapping', () => {
  const fails = (error: Error) => new FakeStore({}, () => Promise.reject(error)).read();

  it.each([
    ["OOM command not allowed when used memory > 'maxmemory'."],
    ['MISCONF Redis is configured to save RDB snapshots, but it is currently not able to persist'],
    ['LOADING Redis is loading the dataset in memory'],
    ['MOVED 13137 127.0.0.1:7002'],
    ['ASK 13137 127.0.0.1:7002'],
  ])('answers the reply %j as an unavailable store (503)', async (message) => {
    await expect(fails(redisError('ReplyError', message))).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
  });

  it.each([['NOSCRIPT No matching script.'], ['WRONGTYPE Operation against a key']])(
    'lets the reply %j surface as the defect it is',
    async (message) => {
      await expect(fails(redisError('ReplyError', message))).rejects.toMatchObject({
        name: 'ReplyError',
      });
    },
  );

  it('keeps only the command name on the error, never the arguments it was sent', async () => {
    const reply = redisError('ReplyError', 'WRONGTYPE Operation against a key');
    await expect(fails(reply)).rejects.toBe(reply);
    expect(reply).toMatchObject({ command: { name: 'evalsha' } });
    expect(JSON.stringify(reply)).not.toContain('argon2');
    const oom = redisError('ReplyError', 'OOM command not allowed');
    const error: unknown = await fails(oom).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(JSON.stringify((error as Error).cause)).not.toContain('argon2');
  });
});
