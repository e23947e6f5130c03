// Suggestion snippets with their matches marked. The API gives highlights as UTF-8 *byte*
// offsets into the snippet (what the Rust search engine produces), while JavaScript strings are
// indexed in UTF-16 units; converting through the bytes keeps "Müller" and emoji correct.
// Output is text nodes and <mark> elements only.

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Moves a byte offset back to the start of the UTF-8 character it falls in. */
function charBoundary(bytes, offset) {
  let i = Math.max(0, Math.min(offset, bytes.length));
  while (i > 0 && i < bytes.length && (bytes[i] & 0xc0) === 0x80) i -= 1;
  return i;
}

/** Sorted, clamped, merged [start, end) byte ranges. */
export function normaliseRanges(bytes, highlights) {
  const ranges = (Array.isArray(highlights) ? highlights : [])
    .map((r) => [Number(r && r.start), Number(r && r.end)])
    .filter(([s, e]) => Number.isFinite(s) && Number.isFinite(e) && e > s)
    .map(([s, e]) => [charBoundary(bytes, s), charBoundary(bytes, e)])
    .filter(([s, e]) => e > s)
    .sort((a, b) => a[0] - b[0]);
  const merged = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push(r);
  }
  return merged;
}

/** A fragment of text nodes and <mark>s for a snippet and its byte-offset highlights. */
export function highlighted(snippet, highlights) {
  const text = String(snippet ?? '');
  const bytes = encoder.encode(text);
  const frag = document.createDocumentFragment();
  let at = 0;
  for (const [start, end] of normaliseRanges(bytes, highlights)) {
    if (start > at) frag.append(document.createTextNode(decoder.decode(bytes.subarray(at, start))));
    const mark = document.createElement('mark');
    mark.textContent = decoder.decode(bytes.subarray(start, end));
    frag.append(mark);
    at = end;
  }
  if (at < bytes.length) frag.append(document.createTextNode(decoder.decode(bytes.subarray(at))));
  return frag;
}
