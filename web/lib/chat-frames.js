// The frames about one chat's conversation, handled alike by the customer's chat page and the
// agent's chat view: a new event goes to the feed, a resume's answer closes the feed's gap, and a
// typing frame from the other side shows the indicator.

/**
 * Applies `f` if it is one of the conversation frames and says whether it was.
 * @param {object} f the frame from the server
 * @param {{ feed: import('./feed.js').ChatFeed,
 *           typingIn: import('./typing.js').TypingIndicator,
 *           typingFromOtherSide: (f: object) => boolean }} to
 */
export function applyConversationFrame(f, to) {
  switch (f.type) {
    case 'event':
      to.feed.offer(f.event);
      return true;
    case 'resumed':
      to.feed.resumedTo(f.last_seq);
      return true;
    case 'typing':
      if (to.typingFromOtherSide(f)) to.typingIn.frame(f);
      return true;
    default:
      return false;
  }
}
