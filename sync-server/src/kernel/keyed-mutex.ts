/** Runs tasks one at a time per key (here: per kiosk), in arrival order. In-process only. */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      return await result;
    } finally {
      // forget the key once nothing is queued behind this task, so the map does not grow with kiosks
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
