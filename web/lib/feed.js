// The events of one chat, applied exactly once and in order, whatever mix of REST reads, live
// pushes, `resume` replays and send acknowledgements they arrive through.
//
// Rules from docs/websocket-protocol.md:
// - drop any event whose seq is not above the last one applied (duplicates after a resume);
// - an event more than one above the last applied means something is missing: do not apply it,
//   fetch what follows the last applied seq, and apply that in order.
// Customers never receive agent-only events (follow-ups, deletion), so their seqs have holes by
// design: a catch-up read that returns nothing new for a hole simply moves past it.

/** Page size of GET /api/chats/{id}/events reads (the server's maximum). */
export const EVENTS_PAGE = 500;

export class ChatFeed {
  /**
   * @param {object} o
   * @param {string} o.chatId
   * @param {(event: object) => void} o.apply         called once per event, in seq order
   * @param {(after: number) => Promise<object[]>} o.fetchAfter  REST read of events after a seq
   */
  constructor({ chatId, apply, fetchAfter }) {
    this.chatId = chatId;
    this.applyFn = apply;
    this.fetchAfter = fetchAfter;
    this.lastSeq = 0;
    this.catchingUp = null;
    this.closed = false;
  }

  /** Offers one event (from any source). */
  offer(event) {
    if (this.closed || !event || typeof event.seq !== 'number') return;
    if (event.seq <= this.lastSeq) return; // already applied
    if (event.seq === this.lastSeq + 1) {
      this._apply(event);
      return;
    }
    // A gap: something is missing (or hidden from customers). Catch up from the store; if that
    // fails too, the next push, poll or reconnect tries again.
    this.catchUp().catch(() => {});
  }

  /** Offers a batch in order (REST pages, replays). */
  offerAll(events) {
    for (const e of [...events].sort((a, b) => a.seq - b.seq)) {
      if (e.seq > this.lastSeq) this._apply(e);
    }
  }

  /**
   * Reads every event after the last applied one over REST. Overlapping calls share one read.
   * Events in a REST page are consecutive as far as this caller may see them, so holes in them
   * are the hidden ones and are skipped.
   */
  catchUp() {
    if (this.catchingUp) {
      this.again = true;
      return this.catchingUp;
    }
    this.catchingUp = (async () => {
      try {
        do {
          this.again = false;
          for (;;) {
            const page = await this.fetchAfter(this.lastSeq);
            if (this.closed) return;
            this.offerAll(page);
            if (page.length < EVENTS_PAGE) break;
          }
        } while (this.again && !this.closed);
      } finally {
        this.catchingUp = null;
      }
    })();
    return this.catchingUp;
  }

  /** `resumed` says the server has sent everything up to `lastSeq` this caller may see. */
  resumedTo(lastSeq) {
    if (typeof lastSeq === 'number' && lastSeq > this.lastSeq) this.lastSeq = lastSeq;
  }

  close() {
    this.closed = true;
  }

  _apply(event) {
    this.lastSeq = event.seq;
    try {
      this.applyFn(event);
    } catch (err) {
      // A rendering bug must not stop later events from being applied.
      console.error('applying chat event failed', err);
    }
  }
}
