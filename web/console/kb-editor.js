// The knowledge-base article editor and the delete confirmation, both modal dialogs. The editor
// stays open with everything typed when the server refuses a save, and shows the server's
// message next to the form; the field it names is marked invalid.

import { h, replace } from '../lib/dom.js';
import { renderMarkdown } from '../lib/markdown.js';
import { modal } from './dialogs.js';

// The server's limits (shared/src/domain/kb.rs); it checks them again and says what is wrong.
const MAX_TITLE_CHARS = 200;
const MAX_ARTICLE_CHARS = 50_000;

/** "Mail, quota ,, VPN" -> ['Mail', 'quota', 'VPN'] (the server lower-cases and de-duplicates). */
export function parseTags(text) {
  return String(text || '').split(',').map((t) => t.trim()).filter(Boolean);
}

/** Names of the groups an article applies to; [] means every group. */
export function groupsText(ids, groupName) {
  return ids.length ? ids.map(groupName).join(', ') : 'All groups';
}

/**
 * New article (no `article`) or edit one. Resolves the saved article, or null when cancelled.
 * @param {object} o
 * @param {object} [o.article]  {id, title, body, tags, groups, published}
 * @param {{id:string, name:string}[]} o.groups  every group (GET /api/groups)
 * @param {(input: object) => Promise<object>} o.save  POST or PUT; throws ApiError on refusal
 */
export function articleEditor({ article, groups, save }) {
  const editing = !!article;
  const a = article || { title: '', body: '', tags: [], groups: [], published: false };
  const known = new Set(groups.map((g) => g.id));

  const title = h('input', { id: 'kb-title', name: 'title', maxlength: String(MAX_TITLE_CHARS), autocomplete: 'off', value: a.title, autofocus: true });
  const body = h('textarea', {
    id: 'kb-body', name: 'body', rows: '12', maxlength: String(MAX_ARTICLE_CHARS), spellcheck: 'true',
    placeholder: '# Heading\n\nSteps, **bold**, *italic*, `code`, [links](https://example.com), - lists, 1. numbered lists, > quotes',
  });
  body.value = a.body;
  const tags = h('input', { id: 'kb-tags', name: 'tags', autocomplete: 'off', placeholder: 'mail, quota', value: a.tags.join(', '), 'aria-describedby': 'kb-tags-hint' });

  const groupBoxes = groups.map((g) => h('input', {
    type: 'checkbox', id: `kb-group-${g.id}`, name: 'groups', value: g.id, checked: a.groups.includes(g.id),
  }));
  // Groups the article names that no longer exist are kept out of the form: the server would
  // refuse them, and an article for no existing group is not one anybody can see anyway.
  const lostGroups = a.groups.filter((id) => !known.has(id));
  const groupsSummary = h('p', { class: 'hint', id: 'kb-groups-summary', 'aria-live': 'polite' });
  const groupsField = h('fieldset', { class: 'choice kb-groups', 'aria-describedby': 'kb-groups-summary' },
    h('legend', {}, 'Groups'),
    h('div', { class: 'kb-checks' },
      groups.map((g, i) => h('label', { class: 'inline', for: `kb-group-${g.id}` }, groupBoxes[i], g.name))),
    groupsSummary,
    lostGroups.length ? h('p', { class: 'hint' }, `No longer existing groups are dropped on save: ${lostGroups.join(', ')}.`) : null);

  const published = h('input', { type: 'radio', name: 'status', id: 'kb-status-published', value: 'published', checked: a.published });
  const draft = h('input', { type: 'radio', name: 'status', id: 'kb-status-draft', value: 'draft', checked: !a.published });
  const statusField = h('fieldset', { class: 'choice kb-status' },
    h('legend', {}, 'Status'),
    h('label', { class: 'inline', for: 'kb-status-published' }, published, 'Published ', h('span', { class: 'hint' }, '— suggested to customers and agents')),
    h('label', { class: 'inline', for: 'kb-status-draft' }, draft, 'Draft ', h('span', { class: 'hint' }, '— never suggested; customers cannot open it')));

  const preview = h('div', { class: 'article kb-preview', id: 'kb-preview' });
  const counter = h('span', { class: 'hint', id: 'kb-body-count' });

  const values = () => ({
    title: title.value,
    body: body.value,
    tags: parseTags(tags.value),
    groups: groupBoxes.filter((b) => b.checked).map((b) => b.value),
    published: published.checked,
  });
  const initial = JSON.stringify(values());
  const dirty = () => JSON.stringify(values()) !== initial;

  let frame = 0;
  const drawPreview = () => {
    frame = 0;
    const t = title.value.trim();
    replace(preview,
      h('p', { class: 'kb-preview-title' }, t || h('span', { class: 'muted' }, 'Untitled')),
      body.value.trim() ? renderMarkdown(body.value) : h('p', { class: 'muted' }, 'The article as customers will read it appears here.'));
    counter.textContent = `${body.value.length.toLocaleString()} / ${MAX_ARTICLE_CHARS.toLocaleString()} characters`;
  };
  // One render per frame however fast the agent types.
  const schedulePreview = () => {
    if (!frame) frame = requestAnimationFrame(drawPreview);
  };
  const drawGroups = () => {
    const chosen = groupBoxes.filter((b) => b.checked).map((b) => groups.find((g) => g.id === b.value).name);
    groupsSummary.textContent = chosen.length
      ? `Suggested only for questions to ${chosen.join(', ')}.`
      : 'None checked: the article applies to all groups.';
  };
  title.addEventListener('input', schedulePreview);
  body.addEventListener('input', schedulePreview);
  groupBoxes.forEach((b) => b.addEventListener('change', drawGroups));
  drawPreview();
  drawGroups();

  const fields = { title, body, tags, groups: groupsField };
  const clearInvalid = (e) => {
    e.target.removeAttribute('aria-invalid');
    const set = e.target.closest('fieldset');
    if (set) set.removeAttribute('aria-invalid');
  };

  const form = h('div', { class: 'kb-editor-grid' },
    h('div', { class: 'kb-editor-fields' },
      h('label', { for: 'kb-title' }, 'Title'),
      title,
      h('div', { class: 'kb-body-head' }, h('label', { for: 'kb-body' }, 'Body ', h('span', { class: 'hint' }, '(Markdown)')), counter),
      body,
      h('label', { for: 'kb-tags' }, 'Tags'),
      tags,
      h('p', { class: 'hint', id: 'kb-tags-hint' }, 'Comma separated, e.g. “mail, quota”. Tags help the search find the article.'),
      groupsField,
      statusField),
    h('section', { class: 'kb-preview-wrap', 'aria-label': 'Preview' },
      h('h3', { class: 'kb-preview-head' }, 'Preview'),
      preview));
  form.addEventListener('input', clearInvalid);
  // Enter in a one-line field would submit the dialog's form with its first button, Cancel, and
  // throw the article away; Save is a deliberate click (or Enter on the button itself).
  form.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && e.target instanceof HTMLInputElement) e.preventDefault();
  });

  let saving = false;
  return modal({
    title: editing ? 'Edit article' : 'New article',
    className: 'kb-editor',
    body: form,
    buttons: [{ label: 'Cancel', value: 'cancel' }, { label: editing ? 'Save changes' : 'Save article', value: 'ok', class: 'primary' }],
    onCancel: (ui) => {
      if (saving) return false;
      if (!dirty()) return true;
      ui.error('You have unsaved changes. Save them, or choose Cancel to discard them.');
      return false;
    },
    onSubmit: async () => {
      for (const f of Object.values(fields)) f.removeAttribute('aria-invalid');
      saving = true;
      try {
        return await save(values());
      } catch (err) {
        // "title: must not be empty" — the server names the field first.
        const field = err && err.code === 'invalid_input' && fields[String(err.message).split(':')[0]];
        if (field) {
          field.setAttribute('aria-invalid', 'true');
          if (field.focus) field.focus();
        }
        throw err;
      } finally {
        saving = false;
      }
    },
  });
}

/** Asks before deleting an article; `run` deletes it (throws to show the server's refusal). */
export function confirmArticleDeleteDialog({ article, groupName, run }) {
  return modal({
    title: 'Delete this article?',
    body: [
      h('p', {}, h('strong', { class: 'kb-delete-title' }, article.title)),
      h('p', { class: 'hint' },
        `${article.published ? 'Published' : 'Draft'} · ${groupsText(article.groups, groupName)}. `,
        'Customers and agents stop getting it as a suggestion at once. This cannot be undone; to hide an article for now, save it as a draft instead.'),
    ],
    buttons: [{ label: 'Cancel', value: 'cancel' }, { label: 'Delete', value: 'ok', class: 'danger' }],
    onSubmit: () => run(),
  });
}
