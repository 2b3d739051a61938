import { Gate } from './gate';

/** A task that finishes when told to, recording when it started. */
function controllable(started: number[], id: number) {
  let finish!: (fail?: boolean) => void;
  const task = () =>
    new Promise<number>((resolve, reject) => {
      started.push(id);
      finish = (fail) => (fail ? reject(new Error(`task ${id}`)) : resolve(id));
    });
  return { task, finish: (fail?: boolean) => finish(fail) };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('Gate', () => {
  it('runs at most `limit` tasks at once, the rest in arrival order', async () => {
    const gate = new Gate(2);
    const started: number[] = [];
    const tasks = [0, 1, 2, 3].map((id) => controllable(started, id));
    const results = tasks.map((t) => gate.run(t.task));
    const failure = results[0].catch((error: unknown) => error);
    await tick();
    expect(started).toEqual([0, 1]);
    expect(gate.queued).toBe(2);
    tasks[1].finish();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    tasks[0].finish(true);
    await tick();
    expect(started).toEqual([0, 1, 2, 3]);
    tasks[2].finish();
    tasks[3].finish();
    await expect(failure).resolves.toThrow('task 0');
    await expect(Promise.all(results.slice(1))).resolves.toEqual([1, 2, 3]);
    expect(gate.queued).toBe(0);
  });

  it('frees every slot once all tasks are done', async () => {
    const gate = new Gate(1);
    for (let i = 0; i < 3; i++) await gate.run(() => Promise.resolve(i));
    const started: number[] = [];
    const t = controllable(started, 9);
    const done = gate.run(t.task);
    await tick();
    expect(started).toEqual([9]);
    t.finish();
    await expect(done).resolves.toBe(9);
  });
});
