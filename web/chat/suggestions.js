// Step 2: knowledge-base answers to the customer's question before they join the queue
// (SmarterTrack's "intermediary page"). Each suggestion opens inline; "This solved my problem"
// records the success and ends without creating a chat.

import { $, h, replace } from '../lib/dom.js';
import { highlighted } from '../lib/highlight.js';
import { renderMarkdown } from '../lib/markdown.js';
import { api } from './api.js';

const NONE_FOUND = 'No suggested solutions were found for your question.';

/** Records what the customer did with a suggestion ({question_id, item_id, action}); `shown`
 * is counted by the server when it answers. Best effort: the page works the same without it. */
function feedback(questionId, itemId, action) {
  if (!questionId) return;
  api.feedback({ question_id: questionId, item_id: itemId, action }).catch(() => {});
}

/**
 * Loads and shows suggestions for `question` in `groupId`.
 * @param {object} o
 * @param {string} o.question
 * @param {string} o.groupId
 * @param {() => void} o.onSolved
 */
export async function showSuggestions({ question, groupId, onSolved }) {
  const list = $('#sugg-list');
  const status = $('#sugg-status');
  const intro = $('#sugg-intro');
  list.replaceChildren();
  $('#your-question').textContent = question;
  $('#sugg-error').hidden = true;
  replace(status, h('span', { class: 'spinner', 'aria-hidden': 'true' }), ' Looking for answers to your question…');
  intro.hidden = true;

  let result;
  try {
    result = await api.suggestions(question, groupId);
  } catch {
    // 404 (knowledge base not installed), or any failure: the customer can still chat.
    result = null;
  }
  const items = (result && Array.isArray(result.suggestions) ? result.suggestions : []).slice(0, 8);
  const questionId = result && result.question_id ? result.question_id : undefined;
  if (items.length === 0) {
    replace(status, h('p', { class: 'none-found' }, NONE_FOUND, ' An agent will be glad to help.'));
    return;
  }
  intro.hidden = false;
  status.textContent = `${items.length} suggested ${items.length === 1 ? 'solution' : 'solutions'} found.`;
  for (const s of items) {
    list.append(suggestionItem(s, { questionId, onSolved }));
  }
}

function suggestionItem(s, { questionId, onSolved }) {
  const articleBox = h('div', { class: 'article', hidden: true, tabindex: '-1' });
  const isArticle = s.kind !== 'resolution';
  const openBtn = h('button', { type: 'button', class: 'small', 'aria-expanded': 'false' }, isArticle ? 'Read article' : 'Show answer');
  const solvedBtn = h('button', { type: 'button', class: 'small primary', hidden: true }, 'This solved my problem');
  let loaded = false;

  openBtn.addEventListener('click', async () => {
    const open = openBtn.getAttribute('aria-expanded') === 'true';
    if (open) {
      articleBox.hidden = true;
      openBtn.setAttribute('aria-expanded', 'false');
      openBtn.textContent = isArticle ? 'Read article' : 'Show answer';
      return;
    }
    openBtn.setAttribute('aria-expanded', 'true');
    openBtn.textContent = 'Hide';
    if (!loaded) feedback(questionId, s.id, 'clicked');
    articleBox.hidden = false;
    solvedBtn.hidden = false;
    if (loaded) return;
    if (!isArticle) {
      replace(articleBox, h('p', {}, s.snippet || ''));
      loaded = true;
      return;
    }
    replace(articleBox, h('span', { class: 'spinner', 'aria-hidden': 'true' }), ' Loading…');
    try {
      const article = await api.article(s.id);
      replace(articleBox, renderMarkdown(article.body || ''));
      loaded = true;
    } catch (err) {
      replace(articleBox, h('p', { class: 'error-box' }, `The article could not be opened: ${err.message}`));
    }
    articleBox.focus();
  });

  solvedBtn.addEventListener('click', () => {
    feedback(questionId, s.id, 'solved');
    onSolved();
  });

  return h('li', { class: 'suggestion' },
    h('span', { class: 'kind' }, isArticle ? 'Article' : 'Past answer'),
    h('h3', {}, s.title || 'Untitled'),
    h('p', { class: 'snippet' }, highlighted(s.snippet || '', s.highlights)),
    h('div', { class: 'row-buttons' }, openBtn, solvedBtn),
    articleBox);
}
