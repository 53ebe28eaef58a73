// A small static server for www/ (or any set of folders mounted at URL
// prefixes, as the bench page does): right MIME types (wasm streaming needs
// application/wasm), gzip where the client accepts it, a Content-Security-Policy
// that keeps the page on its own origin, and no caching so a rebuild shows.
// Usable as a script (prints the URL) or imported by the tests.

import { readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = resolve(fileURLToPath(new URL('../www/', import.meta.url)));
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};
// 'wasm-unsafe-eval' lets WebAssembly compile; nothing else may run or load
// from anywhere but this origin.
export const CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; " +
  "img-src 'self' data: blob:; style-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'";

const gzCache = new Map();

async function handle(req, res, mounts, csp) {
  const url = new URL(req.url, 'http://x');
  let path = normalize(decodeURIComponent(url.pathname)).replace(/^(\.\.[/\\])+/, '');
  if (path.endsWith('/')) path += 'index.html';
  // The longest URL prefix wins; each maps onto one folder.
  const prefix = Object.keys(mounts)
    .filter((p) => path.startsWith(p))
    .sort((a, b) => b.length - a.length)[0];
  const root = prefix === undefined ? null : resolve(mounts[prefix]);
  const file = root && join(root, path.slice(prefix.length));
  if (!root || !file.startsWith(root)) {
    res.writeHead(403).end('forbidden');
    return;
  }
  let info;
  try {
    info = await stat(file);
  } catch {
    res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${url.pathname}`);
    return;
  }
  if (!info.isFile()) {
    res.writeHead(404).end('not a file');
    return;
  }
  const headers = {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'cache-control': 'no-cache',
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
  };
  let body;
  const key = `${file}:${info.mtimeMs}`;
  const pre = await stat(`${file}.gz`).catch(() => null);
  if (/\bgzip\b/.test(req.headers['accept-encoding'] ?? '') && info.size > 1024) {
    body = gzCache.get(key);
    if (!body && pre?.isFile() && pre.mtimeMs >= info.mtimeMs) {
      // Compressed at build time, harder than a request can afford (zopfli).
      body = await readFile(`${file}.gz`);
      gzCache.set(key, body);
    }
    if (!body) {
      // Once per file version (cached): the engine at the smallest, the 8 MB of
      // digits at zlib's default, which is 10x quicker there for 1% more.
      body = gzipSync(await readFile(file), { level: info.size < 1 << 20 ? 9 : 6 });
      gzCache.set(key, body);
    }
    headers['content-encoding'] = 'gzip';
    headers.vary = 'accept-encoding';
  } else {
    body = await readFile(file);
  }
  headers['content-length'] = body.length;
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}

/**
 * Starts the server on 127.0.0.1:port (0 = any free port); resolves to its URL
 * and handle. `mounts` maps URL prefixes (ending in '/') to folders; `csp`
 * replaces the lab's policy (the bench page's TF.js needs string eval).
 */
export function serve(port = 0, mounts = { '/': ROOT }, csp = CSP) {
  return new Promise((ok, fail) => {
    const server = createServer((req, res) =>
      handle(req, res, mounts, csp).catch((e) => {
        res.writeHead(500).end(String(e));
      }),
    );
    server.on('error', fail);
    server.listen(port, '127.0.0.1', () => ok({ server, url: `http://127.0.0.1:${server.address().port}/` }));
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const port = Number(process.env.PORT ?? 8080);
  serve(port).then(
    ({ url }) => console.log(`aelab is served at ${url}  (Ctrl-C stops)`),
    (e) => {
      console.error(`cannot serve on port ${port}: ${e.message} (set PORT to another port, or PORT=0 for any)`);
      process.exit(1);
    },
  );
}
