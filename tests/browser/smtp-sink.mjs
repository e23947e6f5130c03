// A small SMTP server for the browser tests: accepts every message the chatdesk server sends and
// keeps it as a file in --dir (one per message), so a test can count and read what was sent.
// Writes its port to --port-file once it listens.
//
//   node smtp-sink.mjs --dir DIR --port-file FILE

import net from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, v, i, all) => (v.startsWith('--') ? [...acc, [v.slice(2), all[i + 1]]] : acc), []));
mkdirSync(args.dir, { recursive: true });
let count = 0;

const server = net.createServer((socket) => {
  let buffer = '';
  let inData = false;
  let envelope = { from: '', to: [] };
  let data = [];
  const reply = (line) => socket.write(`${line}\r\n`);
  reply('220 sink ESMTP');
  socket.on('data', (chunk) => {
    buffer += chunk.toString('utf8');
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl).replace(/\r$/, '');
      buffer = buffer.slice(nl + 1);
      if (inData) {
        if (line === '.') {
          inData = false;
          count += 1;
          writeFileSync(join(args.dir, `${String(count).padStart(4, '0')}.eml`), JSON.stringify({ ...envelope, data: data.join('\n') }));
          data = [];
          reply('250 2.0.0 queued');
        } else {
          data.push(line.startsWith('.') ? line.slice(1) : line);
        }
        continue;
      }
      const upper = line.toUpperCase();
      if (upper.startsWith('EHLO')) socket.write('250-sink\r\n250 8BITMIME\r\n');
      else if (upper.startsWith('MAIL FROM:')) { envelope = { from: line.slice(10).replace(/[<>]/g, '').split(' ')[0], to: [] }; reply('250 ok'); }
      else if (upper.startsWith('RCPT TO:')) { envelope.to.push(line.slice(8).replace(/[<>]/g, '').split(' ')[0]); reply('250 ok'); }
      else if (upper.startsWith('DATA')) { inData = true; reply('354 end with .'); }
      else if (upper.startsWith('QUIT')) { reply('221 bye'); socket.end(); }
      else reply('250 ok');
    }
  });
  socket.on('error', () => {});
});
server.listen(0, '127.0.0.1', () => writeFileSync(args['port-file'], String(server.address().port)));
