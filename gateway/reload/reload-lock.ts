// Reloads run one at a time: each waits for the lock the one before releases. `busy` tells the admin to
// answer 409 rather than queue an HTTP caller.
export class ReloadLock {
  private tail: Promise<void> = Promise.resolve();
  private holders = 0;

  /** A reload holds the lock or waits for it. */
  get busy(): boolean {
    return this.holders > 0;
  }

  /** Resolves with the release function once every reload queued before has released. */
  async acquire(): Promise<() => void> {
    this.holders++;
    const before = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((resolve) => {
      release = () => {
        this.holders--;
        resolve();
      };
    });
    await before;
    return release;
  }

  /** Settles when the reloads queued so far are done. */
  idle(): Promise<void> {
    return this.tail;
  }
}
