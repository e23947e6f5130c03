// The Knowledge Base pane (managers and administrators): the articles, drafts included, with
// New / Edit / Delete, and the Deflection counts — how often customers were shown a suggestion,
// opened it and said it solved their problem. Agents never get the navigation entry; one who
// types the address gets a refusal here, and the server refuses their writes and the counts.

import { $, h, replace } from '../lib/dom.js';
import { fullDateTime, isoTime, plural, shortDateTime } from '../lib/format.js';
import { isMissingRoute } from '../lib/http.js';
import { api } from './api.js';
import { groupName, isManager, state } from './state.js';
import { setTitle } from './nav.js';
import { chatRoute, DEFAULT_VIEW, KB_DEFLECTION_ROUTE, KB_ROUTE, routeOf } from './views.js';
import { articleEditor, confirmArticleDeleteDialog, groupsText } from './kb-editor.js';
import { toast } from './toast.js';

const REFUSED = 'Only managers and administrators manage the knowledge base. Ask one of them if an article needs changing.';
const MISSING = 'The knowledge base is not available on this server.';
const NO_GROUP = '-';

function explain(err) {
  return isMissingRoute(err) ? MISSING : err.message;
}

function sortByCounts(entries) {
  return entries.sort(([ka, a], [kb, b]) => b.shown - a.shown || b.clicked - a.clicked || b.solved - a.solved || ka.localeCompare(kb));
}

export class KnowledgePane {
  constructor(root) {
    this.root = root;
    this.tab = null;
    this.articles = [];
    this.loadSeq = 0;
    this.freshId = null;
  }

  /** Shows the pane on `tab` ('articles' | 'deflection') and reads what it lists. */
  open(tab) {
    this.root.hidden = false;
    this.tab = tab;
    setTitle('Knowledge Base');
    if (!isManager()) {
      this._refuse();
      return;
    }
    this._frame();
    if (tab === 'deflection') this.loadStats();
    else this.loadArticles();
  }

  close() {
    this.tab = null;
    this.loadSeq += 1; // answers still in flight are for a pane no longer shown
    this.root.hidden = true;
    this.root.replaceChildren();
  }

  _refuse() {
    replace(this.root,
      h('div', { class: 'kb-head' }, h('h1', { id: 'kb-heading' }, 'Knowledge Base')),
      h('div', { class: 'kb-body' },
        h('p', { class: 'error-box', id: 'kb-refused', role: 'alert' }, REFUSED),
        h('p', { class: 'kb-back' }, h('a', { href: routeOf(DEFAULT_VIEW) }, '← Back to My Active'))));
  }

  _frame() {
    const tabLink = (id, href, label, current) => h('a', {
      id, href, class: 'kb-tab', 'aria-current': current ? 'page' : false,
    }, label);
    this.el = {
      error: h('div', { class: 'error-box', id: 'kb-error', role: 'alert', hidden: true }),
      body: h('div', { class: 'kb-body', id: 'kb-body-pane' }),
    };
    replace(this.root,
      h('div', { class: 'kb-head' },
        h('h1', { id: 'kb-heading' }, 'Knowledge Base'),
        h('nav', { class: 'kb-tabs', 'aria-label': 'Knowledge Base' },
          tabLink('kb-tab-articles', KB_ROUTE, 'Articles', this.tab === 'articles'),
          tabLink('kb-tab-deflection', KB_DEFLECTION_ROUTE, 'Deflection', this.tab === 'deflection'))),
      this.el.error,
      this.el.body);
  }

  _error(message) {
    this.el.error.textContent = message || '';
    this.el.error.hidden = !message;
  }

  _busy(on) {
    if (on) this.el.body.setAttribute('aria-busy', 'true');
    else this.el.body.removeAttribute('aria-busy');
  }

  // ---- articles -----------------------------------------------------------------------------------

  async loadArticles() {
    const seq = ++this.loadSeq;
    this._busy(true);
    try {
      // Groups too: the editor's checkboxes and the names in the list come from GET /api/groups.
      const [articles, groups] = await Promise.all([api.articles(), api.groups()]);
      if (seq !== this.loadSeq || this.tab !== 'articles') return;
      this.articles = articles;
      state.groups = groups;
      this._error('');
      this._drawArticles();
    } catch (err) {
      if (seq !== this.loadSeq) return;
      this._drawArticles();
      this._error(explain(err));
    } finally {
      if (seq === this.loadSeq) this._busy(false);
    }
  }

  _drawArticles() {
    const drafts = this.articles.filter((a) => !a.published).length;
    const count = this.articles.length
      ? `${plural(this.articles.length, 'article')}${drafts ? `, ${drafts} ${drafts === 1 ? 'draft' : 'drafts'}` : ''}`
      : '';
    const th = (label, cls) => h('th', { scope: 'col', class: cls }, label);
    const table = h('table', { class: 'kb-table', id: 'kb-table' },
      h('caption', { class: 'visually-hidden' }, 'Knowledge-base articles'),
      h('thead', {}, h('tr', {},
        th('Title', 'col-title'), th('Status', 'col-status'), th('Groups', 'col-groups'), th('Tags', 'col-tags'),
        th('Updated', 'col-updated'), h('th', { scope: 'col', class: 'col-actions' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
      h('tbody', {}, this.articles.map((a) => this._articleRow(a))));
    replace(this.el.body,
      h('div', { class: 'kb-toolbar' },
        h('button', { type: 'button', class: 'primary', id: 'kb-new', onclick: () => this.edit(null) }, '+ New article'),
        h('span', { class: 'view-count', id: 'kb-count', 'aria-live': 'polite' }, count)),
      h('div', { class: 'kb-table-wrap' },
        this.articles.length ? table : h('p', { class: 'list-empty', id: 'kb-empty' },
          'No articles yet. Write the first one: customers see published articles as suggestions before they wait for an agent.')));
    this.freshId = null;
  }

  _articleRow(a) {
    const updated = typeof a.updated_at === 'number'
      ? h('time', { datetime: isoTime(a.updated_at), title: fullDateTime(a.updated_at) }, shortDateTime(a.updated_at))
      : h('span', { class: 'muted' }, '—');
    return h('tr', { dataset: { articleId: a.id }, class: [a.id === this.freshId && 'fresh', !a.published && 'is-draft'] },
      h('td', { class: 'col-title' }, h('span', { class: 'kb-article-title' }, a.title)),
      h('td', { class: 'col-status' },
        h('span', { class: ['kb-status', a.published ? 'is-published' : 'is-draft'] }, a.published ? 'Published' : 'Draft')),
      h('td', { class: ['col-groups', !a.groups.length && 'muted'] }, groupsText(a.groups, groupName)),
      h('td', { class: 'col-tags' }, a.tags.length
        ? h('ul', { class: 'kb-tags' }, a.tags.map((t) => h('li', { class: 'kb-tag' }, t)))
        : h('span', { class: 'muted' }, '—')),
      h('td', { class: 'col-updated' }, updated),
      h('td', { class: 'col-actions' },
        h('button', { type: 'button', class: 'small kb-edit', 'aria-label': `Edit ${a.title}`, onclick: () => this.edit(a) }, 'Edit'),
        h('button', { type: 'button', class: 'small danger-outline kb-delete', 'aria-label': `Delete ${a.title}`, onclick: () => this.remove(a) }, 'Delete')));
  }

  async edit(article) {
    const saved = await articleEditor({
      article,
      groups: state.groups,
      save: (input) => (article ? api.updateArticle(article.id, input) : api.createArticle(input)),
    });
    if (!saved) return;
    toast(`${article ? 'Saved' : 'Created'} “${saved.title}”${saved.published ? '' : ' as a draft'}.`, 'ok');
    this.freshId = saved.id;
    if (this.tab === 'articles') await this.loadArticles();
  }

  async remove(article) {
    const done = await confirmArticleDeleteDialog({
      article,
      groupName,
      run: () => api.deleteArticle(article.id),
    });
    if (!done) return;
    toast(`Deleted “${article.title}”.`, 'ok');
    if (this.tab === 'articles') await this.loadArticles();
  }

  // ---- deflection ---------------------------------------------------------------------------------

  async loadStats() {
    const seq = ++this.loadSeq;
    this._busy(true);
    try {
      // The articles give the counts their titles.
      const [stats, articles] = await Promise.all([api.kbStats(), api.articles().catch(() => [])]);
      if (seq !== this.loadSeq || this.tab !== 'deflection') return;
      this.articles = articles;
      this._error('');
      this._drawStats(stats);
    } catch (err) {
      if (seq !== this.loadSeq) return;
      this._drawStats({ by_group: {}, by_item: {} });
      this._error(explain(err));
    } finally {
      if (seq === this.loadSeq) this._busy(false);
    }
  }

  _drawStats(stats) {
    const byGroup = sortByCounts(Object.entries(stats.by_group || {}));
    const byItem = sortByCounts(Object.entries(stats.by_item || {}));
    const titles = new Map(this.articles.map((a) => [a.id, a]));
    const num = (n) => h('td', { class: 'num' }, String(n));
    const head = (first) => h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, first),
      h('th', { scope: 'col', class: 'num' }, 'Shown'),
      h('th', { scope: 'col', class: 'num' }, 'Clicked'),
      h('th', { scope: 'col', class: 'num' }, 'Solved')));
    const totals = byGroup.reduce((t, [, c]) => ({ shown: t.shown + c.shown, clicked: t.clicked + c.clicked, solved: t.solved + c.solved }), { shown: 0, clicked: 0, solved: 0 });

    const groupTable = h('table', { class: 'kb-table kb-stats', id: 'kb-stats-groups' },
      h('caption', { class: 'visually-hidden' }, 'Deflection by group'),
      head('Group'),
      h('tbody', {}, byGroup.map(([id, c]) => h('tr', { dataset: { groupId: id } },
        h('th', { scope: 'row' }, id === NO_GROUP ? h('span', { class: 'muted' }, 'No group chosen') : groupName(id)),
        num(c.shown), num(c.clicked), num(c.solved)))),
      byGroup.length > 1 ? h('tfoot', {}, h('tr', {}, h('th', { scope: 'row' }, 'All groups'), num(totals.shown), num(totals.clicked), num(totals.solved))) : null);

    const itemLabel = (id) => {
      const a = titles.get(id);
      if (a) {
        return [h('span', { class: 'kb-article-title' }, a.title), a.published ? null : h('span', { class: 'kb-status is-draft' }, 'Draft')];
      }
      if (id.startsWith('resolution:')) {
        const chatId = id.slice('resolution:'.length);
        return [h('span', { class: 'kb-kind' }, 'Past answer'), ' ', h('a', { href: chatRoute(chatId), title: 'Open the chat it came from' }, `from chat ${chatId}`)];
      }
      return [h('span', { class: 'muted' }, 'Deleted article'), ' ', h('code', {}, id)];
    };
    const itemTable = h('table', { class: 'kb-table kb-stats', id: 'kb-stats-items' },
      h('caption', { class: 'visually-hidden' }, 'Deflection by suggestion'),
      head('Suggestion'),
      h('tbody', {}, byItem.map(([id, c]) => h('tr', { dataset: { itemId: id } },
        h('th', { scope: 'row' }, itemLabel(id)),
        num(c.shown), num(c.clicked), num(c.solved)))));

    const empty = (text) => h('p', { class: 'list-empty' }, text);
    replace(this.el.body,
      h('div', { class: 'kb-toolbar' },
        h('p', { class: 'hint kb-stats-hint' },
          h('strong', {}, 'Shown'), ': offered to a customer before the chat. ',
          h('strong', {}, 'Clicked'), ': opened. ',
          h('strong', {}, 'Solved'), ': the customer said it solved the problem, and no chat was started.'),
        h('button', { type: 'button', id: 'kb-stats-refresh', onclick: () => this.loadStats() }, 'Refresh')),
      h('div', { class: 'kb-table-wrap' },
        h('h2', { class: 'kb-section' }, 'By group'),
        byGroup.length ? groupTable : empty('No suggestions have been shown to customers yet.'),
        h('h2', { class: 'kb-section' }, 'By suggestion'),
        byItem.length ? itemTable : empty('No suggestions have been shown to customers yet.')));
  }
}
