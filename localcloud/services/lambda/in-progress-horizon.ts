/** An invocation that took some messages: until its deadline, an idempotency record it began may be in progress. */
interface Holder {
  deadline: number;
  ended: boolean;
  died: boolean;
}

/**
 * Until when a message's idempotency record may be in progress, by message id (a duplicate delivery has the same id).
 * Powertools marks a record in progress until the invocation's deadline, and refuses every other attempt at it
 * meanwhile; the record stops being in progress when the invocation answers, or, when its environment died, at that
 * deadline. In AWS the queue's visibility timeout (at least six times the function's timeout) makes a refused copy
 * come back after that; scaled by `--time-scale`, it would come back sooner, be refused again and again, and reach
 * the dead-letter queue. The event source mapping asks here when a failed message may come back at the earliest.
 */
export class InProgressHorizon {
  private readonly holders = new Map<string, Set<Holder>>();

  /** An invocation takes these message ids until about `deadline`. */
  take(ids: readonly string[], deadline: number): Holder {
    const holder: Holder = { deadline, ended: false, died: false };
    for (const id of ids) this.holders.set(id, (this.holders.get(id) ?? new Set()).add(holder));
    return holder;
  }

  /** The invocation answered (its records are completed or released), or its environment died at its deadline. */
  end(holder: Holder, outcome: { readonly died: boolean; readonly deadline?: number }): void {
    holder.ended = true;
    holder.died = outcome.died;
    if (outcome.deadline !== undefined) holder.deadline = outcome.deadline;
  }

  /** When a failed message may come back at the earliest (epoch ms): 0 when nothing of it can be in progress. */
  notBefore(id: string, now: number): number {
    const holders = this.holders.get(id);
    if (!holders) return 0;
    let until = 0;
    for (const h of holders) {
      if ((h.ended && !h.died) || h.deadline <= now) holders.delete(h);
      else until = Math.max(until, h.deadline);
    }
    if (holders.size === 0) this.holders.delete(id);
    return until;
  }
}
