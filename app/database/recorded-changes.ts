/** What a save that carried some names' changes tells them. */
export interface RecordedBatch {
  /** The save committed: each name's changes hear whether their row was written (false: another server decides it now). */
  settle(written: (name: string) => boolean): void;
  /** The save failed and will be tried again: the changes wait for the next save of their names. */
  restore(): void;
}

/**
 * State changes waiting for the batched save that carries them (DirtyRows): each change gets a promise
 * that resolves true once a save that wrote its name has committed, or false when its row was not
 * written (several servers: its lease was lost, another server decides it again from the database; or
 * the change could not be queued for saving at all). A save takes the waiting changes of its names in
 * the same tick as it reads their rows, so a change made after that waits for the next save.
 */
export class RecordedChanges {
  private readonly waiting = new Map<string, ((written: boolean) => void)[]>();

  /** A change of `name` was decided; call before or after marking the name dirty, in the same tick. */
  track(name: string): Promise<boolean> {
    return new Promise((resolve) => {
      const list = this.waiting.get(name);
      if (list) list.push(resolve);
      else this.waiting.set(name, [resolve]);
    });
  }

  /** The changes of these names, for a save that is reading their rows now. */
  take(names: Iterable<string>): RecordedBatch {
    const taken = new Map<string, ((written: boolean) => void)[]>();
    for (const name of names) {
      const list = this.waiting.get(name);
      if (!list) continue;
      taken.set(name, list);
      this.waiting.delete(name);
    }
    return {
      settle: (written) => {
        for (const [name, list] of taken) {
          const wrote = written(name);
          for (const resolve of list) resolve(wrote);
        }
        taken.clear();
      },
      restore: () => {
        for (const [name, list] of taken) this.waiting.set(name, [...list, ...(this.waiting.get(name) ?? [])]);
        taken.clear();
      },
    };
  }

  /** These names' rows will not be saved (the writer refused or gave up on them): their changes are not recorded. */
  discard(names: Iterable<string>): void {
    this.take(names).settle(() => false);
  }

  get size(): number {
    return this.waiting.size;
  }
}
