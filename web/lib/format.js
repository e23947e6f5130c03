// Times, durations and counts as people read them in a chat list. Every function here answers
// for any value: one that is missing or out of range (a date JavaScript cannot hold, a negative
// duration, text that is not text) is shown as PLACEHOLDER rather than thrown, so one bad value
// never blanks a list.

export const PLACEHOLDER = '—';

/** The largest instant a JavaScript Date holds (±8.64e15 ms, about ±275,000 years). */
const MAX_DATE_MS = 8.64e15;

/** Whether `ms` is an instant a Date can show. */
export function isValidTime(ms) {
  return typeof ms === 'number' && Number.isFinite(ms) && Math.abs(ms) <= MAX_DATE_MS;
}

/** ISO 8601 for a `datetime` attribute, or undefined (no attribute) when `ms` is out of range. */
export function isoTime(ms) {
  return isValidTime(ms) ? new Date(ms).toISOString() : undefined;
}

/** A duration the lists can show: a finite number of milliseconds, not negative. */
function validDuration(ms) {
  return typeof ms === 'number' && Number.isFinite(ms) && ms >= 0 && ms <= MAX_DATE_MS;
}

/** 42 s -> "0:42", 185 s -> "3:05", 3725 s -> "1:02:05", 2 days -> "2d 3:04:05". */
export function duration(ms) {
  if (!validDuration(ms)) return PLACEHOLDER;
  let s = Math.floor(ms / 1000);
  const days = Math.floor(s / 86400);
  s -= days * 86400;
  const hours = Math.floor(s / 3600);
  s -= hours * 3600;
  const minutes = Math.floor(s / 60);
  const seconds = s - minutes * 60;
  const pad = (n) => String(n).padStart(2, '0');
  const clock = hours > 0 || days > 0 ? `${hours}:${pad(minutes)}:${pad(seconds)}` : `${minutes}:${pad(seconds)}`;
  return days > 0 ? `${days}d ${clock}` : clock;
}

/** Words for screen readers and tooltips: "3 minutes 5 seconds". */
export function durationWords(ms) {
  if (!validDuration(ms)) return 'unknown';
  let s = Math.floor(ms / 1000);
  const parts = [];
  for (const [unit, size] of [['day', 86400], ['hour', 3600], ['minute', 60], ['second', 1]]) {
    const n = Math.floor(s / size);
    s -= n * size;
    if (n > 0 || (unit === 'second' && parts.length === 0)) parts.push(`${n} ${unit}${n === 1 ? '' : 's'}`);
  }
  return parts.slice(0, 2).join(' ');
}

const timeFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayTimeFmt = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
const fullFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** Today: "14:05"; otherwise "24 Nov, 14:05". */
export function shortDateTime(ms) {
  if (!isValidTime(ms)) return PLACEHOLDER;
  const d = new Date(ms);
  const now = new Date();
  return d.toDateString() === now.toDateString() ? timeFmt.format(d) : dayTimeFmt.format(d);
}

export function fullDateTime(ms) {
  return isValidTime(ms) ? fullFmt.format(new Date(ms)) : PLACEHOLDER;
}

export function clockTime(ms) {
  return isValidTime(ms) ? timeFmt.format(new Date(ms)) : PLACEHOLDER;
}

/** Value for <input type="datetime-local"> in local time ('' leaves the input empty). */
export function toLocalInput(ms) {
  if (!isValidTime(ms)) return '';
  const d = new Date(ms);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A count (messages): a whole number from 0 up, else the placeholder. */
export function count(n) {
  return Number.isSafeInteger(n) && n >= 0 ? String(n) : PLACEHOLDER;
}

/** Text from the server (names, groups): shown as it is when it is text. */
export function text(value) {
  return typeof value === 'string' ? value : PLACEHOLDER;
}

export function plural(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}
