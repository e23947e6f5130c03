// The chat view's side panel: knowledge-base articles and past resolutions that match the
// customer's question (GET /api/chats/{id}/suggestions), each with Insert to put its text into the
// composer. Until the suggestion service exists the panel says so and the chat works as before.

import { h, replace } from '../lib/dom.js';
import { highlighted } from '../lib/highlight.js';
import { markdownToText, renderMarkdown } from '../lib/markdown.js';
import { isMissingRoute } from '../lib/http.js';
import { api } from './api.js';

export class SuggestionsPanel {
  /**
   * @param {HTMLElement} el
   * @param {object} o
   * @param {string} o.chatId
   * @param {(text: string) => void} o.insert  puts text into the composer
   * @param {() => boolean} o.canInsert
   */
  constructor(el, { chatId, insert, canInsert }) {
    this.el = el;
    this.chatId = chatId;
    this.insert = insert;
    this.canInsert = canInsert;
    this.list = h('ol', { class: 'sugg-list' });
    this.status = h('p', { class: 'hint', role: 'status' });
    this.refreshButton = h('button', { type: 'button', class: 'small', onclick: () => this.load() }, 'Refresh');
    replace(el,
      h('div', { class: 'panel-head' }, h('h2', {}, 'Suggestions'), this.refreshButton),
      this.status,
      this.list);
  }

  async load() {
    replace(this.status, h('span', { class: 'spinner', 'aria-hidden': 'true' }), ' Looking for answers…');
    this.list.replaceChildren();
    let result;
    try {
      result = await api.chatSuggestions(this.chatId);
    } catch (err) {
      this.status.textContent = isMissingRoute(err)
        ? 'Suggestions are not available on this server yet.'
        : `Suggestions could not be loaded: ${err.message}`;
      return;
    }
    const items = Array.isArray(result && result.suggestions) ? result.suggestions : [];
    if (!items.length) {
      this.status.textContent = 'No matching articles or past resolutions.';
      return;
    }
    this.status.textContent = result.mode === 'fulltext'
      ? `${items.length} found (keyword search).`
      : `${items.length} found.`;
    this.questionId = result.question_id || null;
    this.list.replaceChildren(...items.map((s) => this._item(s)));
  }

  _item(s) {
    const isArticle = s.kind !== 'resolution';
    const body = h('div', { class: 'article', hidden: true });
    let article = null;
    const insertText = async () => {
      // Articles insert their full text when it can be read, else the snippet.
      if (isArticle && !article) {
        try {
          article = await api.article(s.id);
        } catch {
          article = null;
        }
      }
      const text = article ? markdownToText(article.body) : s.snippet || '';
      this.insert(text);
      if (this.questionId) api.feedback({ question_id: this.questionId, item_id: s.id, action: 'clicked' }).catch(() => {});
    };
    const insertBtn = h('button', { type: 'button', class: 'small primary', title: 'Put this text into your message', onclick: insertText, disabled: !this.canInsert() }, 'Insert');
    const openBtn = h('button', { type: 'button', class: 'small', 'aria-expanded': 'false' }, isArticle ? 'Open' : 'Show');
    openBtn.addEventListener('click', async () => {
      const open = openBtn.getAttribute('aria-expanded') === 'true';
      openBtn.setAttribute('aria-expanded', String(!open));
      openBtn.textContent = open ? (isArticle ? 'Open' : 'Show') : 'Hide';
      body.hidden = open;
      if (open || body.childElementCount) return;
      if (!isArticle) {
        replace(body, h('p', {}, s.snippet || ''));
        return;
      }
      replace(body, h('span', { class: 'spinner', 'aria-hidden': 'true' }), ' Loading…');
      try {
        article = article || (await api.article(s.id));
        replace(body, renderMarkdown(article.body || ''));
      } catch (err) {
        replace(body, h('p', { class: 'error-box' }, err.message));
      }
    });
    const li = h('li', { class: 'suggestion' },
      h('span', { class: 'kind' }, isArticle ? 'Article' : 'Past resolution'),
      h('h3', {}, s.title || 'Untitled'),
      h('p', { class: 'snippet' }, highlighted(s.snippet || '', s.highlights)),
      h('div', { class: 'row-buttons' }, insertBtn, openBtn),
      body);
    li._insertBtn = insertBtn;
    return li;
  }

  /** The composer opened or closed (the chat was taken, ended...): enable Insert accordingly. */
  sync() {
    for (const li of this.list.children) if (li._insertBtn) li._insertBtn.disabled = !this.canInsert();
  }
}
