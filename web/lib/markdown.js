// A small Markdown renderer for knowledge-base articles that builds DOM nodes directly. Articles
// are written by agents, but the page must still never execute what is in them, so there is no
// HTML pass-through: raw HTML in an article shows as text. Supported: headings, paragraphs,
// bullet and numbered lists, block quotes, fenced code, inline code, **bold**, *italic*, and
// [links](https://...) restricted to http(s), mailto and relative URLs.

const SAFE_URL = /^(https?:|mailto:|\/|#|\.{0,2}\/)/i;

function el(tag, ...children) {
  const e = document.createElement(tag);
  for (const c of children) e.append(c);
  return e;
}

/** Inline spans: `code`, **bold**, *italic* / _italic_, [text](url). */
export function inline(text) {
  const frag = document.createDocumentFragment();
  const re = /(`[^`]+`)|(\*\*[^*]+\*\*)|(\*[^*\s][^*]*\*|_[^_\s][^_]*_)|(\[[^\]]+\]\([^)\s]+\))/g;
  let at = 0;
  let m;
  while ((m = re.exec(text))) {
    if (m.index > at) frag.append(document.createTextNode(text.slice(at, m.index)));
    const tok = m[0];
    if (m[1]) frag.append(el('code', tok.slice(1, -1)));
    else if (m[2]) frag.append(el('strong', inline(tok.slice(2, -2))));
    else if (m[3]) frag.append(el('em', inline(tok.slice(1, -1))));
    else {
      const close = tok.indexOf('](');
      const label = tok.slice(1, close);
      const url = tok.slice(close + 2, -1);
      if (SAFE_URL.test(url)) {
        const a = el('a', inline(label));
        a.href = url;
        a.target = '_blank';
        a.rel = 'noopener noreferrer';
        frag.append(a);
      } else {
        frag.append(document.createTextNode(label));
      }
    }
    at = m.index + tok.length;
  }
  if (at < text.length) frag.append(document.createTextNode(text.slice(at)));
  return frag;
}

export function renderMarkdown(source) {
  const root = document.createDocumentFragment();
  const lines = String(source ?? '').replace(/\r\n?/g, '\n').split('\n');
  let i = 0;
  let para = [];
  const flush = () => {
    if (para.length) root.append(el('p', inline(para.join(' '))));
    para = [];
  };
  while (i < lines.length) {
    const line = lines[i];
    if (/^```/.test(line)) {
      flush();
      const body = [];
      i += 1;
      while (i < lines.length && !/^```/.test(lines[i])) body.push(lines[i++]);
      i += 1;
      root.append(el('pre', el('code', body.join('\n'))));
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      flush();
      // Article headings sit inside a page that has its own h1/h2: start at h3.
      const level = Math.min(6, heading[1].length + 2);
      root.append(el(`h${level}`, inline(heading[2])));
      i += 1;
      continue;
    }
    if (/^\s*([-*+]|\d+[.)])\s+/.test(line)) {
      flush();
      const ordered = /^\s*\d/.test(line);
      const list = el(ordered ? 'ol' : 'ul');
      while (i < lines.length && /^\s*([-*+]|\d+[.)])\s+/.test(lines[i])) {
        list.append(el('li', inline(lines[i].replace(/^\s*([-*+]|\d+[.)])\s+/, ''))));
        i += 1;
      }
      root.append(list);
      continue;
    }
    if (/^>\s?/.test(line)) {
      flush();
      const quote = [];
      while (i < lines.length && /^>\s?/.test(lines[i])) quote.push(lines[i++].replace(/^>\s?/, ''));
      root.append(el('blockquote', el('p', inline(quote.join(' ')))));
      continue;
    }
    if (line.trim() === '') {
      flush();
      i += 1;
      continue;
    }
    para.push(line.trim());
    i += 1;
  }
  flush();
  return root;
}

/** Plain text of an article, for inserting into a chat message. */
export function markdownToText(source) {
  return String(source ?? '')
    .replace(/\r\n?/g, '\n')
    .replace(/^```.*$/gm, '')
    .replace(/^#{1,6}\s+/gm, '')
    .replace(/^>\s?/gm, '')
    .replace(/\*\*([^*]+)\*\*/g, '$1')
    .replace(/`([^`]+)`/g, '$1')
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_m, label, url) => (SAFE_URL.test(url) ? `${label} (${url})` : label))
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
