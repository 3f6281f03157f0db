/**
 * Serialises writes per repository inside one process. GitHub's secondary limits punish
 * parallel content creation (80 a minute), and one promotion's branch/commit/PR steps should not
 * interleave with another's. Across replicas, the derived branch name does the coordination.
 */
export class WriteQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    // Chain on the previous task whether it succeeded or not; its caller handles its failure.
    const current = previous.then(task, task);
    const tail = current.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      return await current;
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /** Keys with queued or running work (for diagnostics). */
  get busy(): number {
    return this.tails.size;
  }
}

export const defaultWriteQueue = new WriteQueue();
