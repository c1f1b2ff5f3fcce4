/**
 * Swagger UI for the OpenAPI document, served by the API itself from the
 * pinned `swagger-ui-dist` package: no CDN, so it works offline, and every
 * script comes from this origin (the initializer is a file too, no inline
 * script), so a `script-src 'self'` Content-Security-Policy holds.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Hono } from 'hono';
import { errorResponse } from './problem.ts';

/** The package's files the page needs, with their content types. */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

/** Same origin only; Swagger UI styles some elements inline, and shows its logo as a data: image. */
export const DOCS_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const distDir = () => dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

const page = (documentUrl: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Book Rental Sagas API</title>
<link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-url="${documentUrl}"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/swagger-initializer.js"></script>
</body>
</html>
`;

// Reads the document's address from the page, so the script stays a constant file.
const INITIALIZER = `window.addEventListener('load', function () {
  var root = document.getElementById('swagger-ui');
  window.ui = SwaggerUIBundle({ url: root.dataset.url, dom_id: '#swagger-ui', deepLinking: true, validatorUrl: null });
});
`;

/** GET /docs, /docs/swagger-initializer.js and /docs/assets/<file>. Not part of the OpenAPI document. */
export function apiDocsRoutes(options: { documentUrl: string }) {
  const dir = distDir();
  const files = new Map(
    Object.entries(ASSETS).map(([name, type]) => [name, { type, body: new Uint8Array(readFileSync(join(dir, name))) }]),
  );
  const router = new Hono();
  router.get('/docs', (c) => {
    c.header('Content-Security-Policy', DOCS_CSP);
    return c.html(page(options.documentUrl));
  });
  router.get('/docs/swagger-initializer.js', (c) =>
    c.body(INITIALIZER, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' }),
  );
  router.get('/docs/assets/:file', (c) => {
    const file = files.get(c.req.param('file'));
    if (!file) return errorResponse(c, 'NOT_FOUND', `no such file: ${c.req.param('file')}`);
    return c.body(file.body, 200, { 'content-type': file.type, 'cache-control': 'public, max-age=3600' });
  });
  return router;
}
