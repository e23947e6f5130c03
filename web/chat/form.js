// Step 1: the question form, prefilled from the link's parameters.

import { $, h, replace } from '../lib/dom.js';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * @param {object} o
 * @param {{group:string,name:string,email:string,question:string}} o.params
 * @param {{id:string,name:string}[]} o.groups
 * @param {(values: object) => void} o.onSubmit
 * @returns {{values: () => object, focus: () => void}}
 */
export function setupForm({ params, groups, onSubmit }) {
  const form = $('#question-form');
  const select = $('#group');
  const fixed = $('#group-fixed');
  const error = $('#form-error');

  const known = groups.find((g) => g.id === params.group);
  if (params.group) {
    // The link chose the department: no need to ask.
    $('#group-field').hidden = true;
    fixed.hidden = false;
    replace(fixed, 'You are contacting ', h('strong', {}, known ? known.name : params.group), '.');
    replace(select, h('option', { value: params.group, selected: true }, known ? known.name : params.group));
  } else {
    replace(select,
      h('option', { value: '' }, 'Choose a department…'),
      groups.map((g) => h('option', { value: g.id }, g.name)));
    if (groups.length === 1) select.value = groups[0].id;
  }
  $('#name').value = params.name || '';
  $('#email').value = params.email || '';
  $('#question').value = params.question || '';

  const values = () => ({
    groupId: select.value,
    groupName: (select.selectedOptions[0] && select.selectedOptions[0].textContent) || select.value,
    name: $('#name').value.trim(),
    email: $('#email').value.trim(),
    question: $('#question').value.trim(),
  });

  function invalid(message, field) {
    error.textContent = message;
    error.hidden = false;
    if (field) {
      field.setAttribute('aria-invalid', 'true');
      field.focus();
    }
  }

  form.addEventListener('input', (e) => {
    e.target.removeAttribute('aria-invalid');
    error.hidden = true;
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const v = values();
    if (!v.groupId) return invalid('Please choose a department.', select);
    if (!v.name) return invalid('Please tell us your name.', $('#name'));
    if (v.email && !EMAIL.test(v.email)) return invalid('That email address does not look right.', $('#email'));
    if (!v.question) return invalid('Please type your question.', $('#question'));
    error.hidden = true;
    onSubmit(v);
  });

  return {
    values,
    focus() {
      const first = [$('#name'), $('#question')].find((f) => !f.value) || $('#form-submit');
      first.focus();
    },
    showError(message) {
      invalid(message);
    },
  };
}
