// Typing indicators, both directions. Outgoing frames are throttled (the server rate-limits a
// connection to 30 frames per 10 s, and a typing frame per keystroke would burn that), and an
// incoming indicator expires by itself in case the "stopped typing" frame is lost.

const RESEND_EVERY_MS = 3000;
const STOP_AFTER_MS = 4000;
const SHOWN_FOR_MS = 6000;

export class TypingSender {
  /** @param {(typing: boolean) => void} send */
  constructor(send) {
    this.sendFn = send;
    this.lastSent = 0;
    this.active = false;
    this.stopTimer = null;
  }

  /** Call on every input event of the composer. */
  input(hasText = true) {
    if (!hasText) {
      this.stop();
      return;
    }
    const now = Date.now();
    if (!this.active || now - this.lastSent > RESEND_EVERY_MS) {
      this.active = true;
      this.lastSent = now;
      this.sendFn(true);
    }
    clearTimeout(this.stopTimer);
    this.stopTimer = setTimeout(() => this.stop(), STOP_AFTER_MS);
  }

  /** Call when the message is sent or the composer is left. */
  stop() {
    clearTimeout(this.stopTimer);
    if (!this.active) return;
    this.active = false;
    this.sendFn(false);
  }
}

export class TypingIndicator {
  /** @param {HTMLElement} el  a live region whose text says who is typing */
  constructor(el) {
    this.el = el;
    this.timer = null;
    this.hide();
  }

  show(name) {
    this.el.textContent = `${name || 'Someone'} is typing…`;
    this.el.hidden = false;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.hide(), SHOWN_FOR_MS);
  }

  hide() {
    clearTimeout(this.timer);
    this.el.hidden = true;
    this.el.textContent = '';
  }

  /** Applies a `typing` frame. */
  frame(f) {
    if (f.typing) this.show(f.name);
    else this.hide();
  }
}
