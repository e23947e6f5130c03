// The parameters of a customised live-chat link (documented in web/README.md):
//   group     id of the group (department) the chat goes to; with it, no department select
//   name      the customer's name, prefilled
//   email     the customer's email, prefilled
//   question  the question, prefilled
//   embed     "1" when the page runs inside the website widget (web/embed.js): shows a close button
// Unknown parameters are ignored; values are only ever put into form fields, never into markup.

const LIMITS = { group: 64, name: 80, email: 254, question: 2000 };

export function readLinkParams(search = location.search) {
  const p = new URLSearchParams(search);
  const get = (k) => {
    const v = (p.get(k) || '').trim();
    return LIMITS[k] ? v.slice(0, LIMITS[k]) : v;
  };
  return {
    group: /^[A-Za-z0-9_-]+$/.test(get('group')) ? get('group') : '',
    name: get('name'),
    email: get('email'),
    question: get('question'),
    embed: p.get('embed') === '1',
  };
}
