// Files in a chat, on both sides: sending one (the server names where the bytes go — its own
// upload address or the cloud's bucket — and checks the file by content when it is confirmed),
// and showing one that was sent (an image previewed, any file as a download). Links to files are
// short-lived, so each is asked for when it is needed.

import { h } from './dom.js';

/** The most a file may weigh; the server refuses more and says so. */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;

/**
 * Sends `file` into the chat. `api` has startUpload(chatId, body), confirmUpload(chatId, id).
 * Resolves to the stored `attachment` event; rejects with the server's words.
 */
export async function sendFile(api, chatId, file) {
  if (file.size > MAX_FILE_BYTES) throw new Error(`${file.name} is larger than 10 MB.`);
  const started = await api.startUpload(chatId, {
    file_name: file.name,
    content_type: file.type || 'application/octet-stream',
    size: file.size,
  });
  const target = started.upload;
  let res;
  if (target.method === 'POST') {
    const form = new FormData();
    for (const [k, v] of target.fields) form.append(k, v);
    form.append('file', file);
    res = await fetch(target.url, { method: 'POST', body: form });
  } else {
    res = await fetch(target.url, { method: 'PUT', headers: Object.fromEntries(target.headers), body: file });
  }
  if (!res.ok) throw new Error(`The upload of ${file.name} failed (${res.status}).`);
  return api.confirmUpload(chatId, started.attachment_id);
}

function sizeText(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/**
 * What a sent file looks like in the transcript. `link(attachmentId, inline)` resolves to
 * {url}: images are previewed (inline), every file downloads by its button.
 */
export function fileNode(file, link) {
  const download = h('button', { type: 'button', class: 'link file-download', dataset: { attachment: file.attachment_id } },
    `\u{1F4CE} ${file.file_name}`, h('span', { class: 'file-size' }, ` (${sizeText(file.size)})`));
  download.addEventListener('click', async () => {
    try {
      const { url } = await link(file.attachment_id, false);
      const a = h('a', { href: url, download: file.file_name, hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
    } catch (err) {
      download.title = `The file could not be fetched: ${err.message}`;
    }
  });
  if (!file.is_image) return h('div', { class: 'file' }, download);
  const img = h('img', { class: 'file-preview', alt: file.file_name, dataset: { attachment: file.attachment_id } });
  link(file.attachment_id, true).then(({ url }) => { img.src = url; }).catch(() => { img.alt = `${file.file_name} (preview unavailable)`; });
  return h('div', { class: 'file' }, img, download);
}
