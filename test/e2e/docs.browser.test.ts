/**
 * /docs in Debian's chromium: Swagger UI comes from the API itself (the pinned
 * swagger-ui-dist package), lists the operations of the OpenAPI document, asks
 * no other host for anything, and works under its script-src 'self' policy.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, stack } from '../support/api.ts';
import { launchChromium, screenshot, watchPage } from '../support/browser.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe('API docs (Swagger UI)', () => {
  it('serves its page with a same-origin script policy and its assets from the package', async () => {
    const docs = await api('/docs');
    expect(docs.status).toBe(200);
    expect(docs.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(docs.body).not.toMatch(/https?:\/\//); // no CDN, no other host
    expect(docs.body).not.toMatch(/<script>(?!<)/); // no inline script
    const bundle = await fetch(`${stack().apiUrl}/docs/assets/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toContain('javascript');
    expect((await api('/docs/assets/package.json')).status).toBe(404); // only the files the page needs
  });

  it('lists the operations in chromium, with nothing fetched from another origin and nothing refused by the policy', async () => {
    const page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
    const origin = new URL(stack().apiUrl).origin;
    const seen = watchPage(page, origin);
    await page.goto(`${stack().apiUrl}/docs`);
    await page.getByText('Book Rental Sagas API').first().waitFor({ timeout: 30_000 });
    const { paths } = (await api('/openapi.json')).body as { paths: Record<string, object> };
    // Every operation of the document has its block, e.g. "POST /signups".
    for (const [path, operations] of Object.entries(paths)) {
      for (const method of Object.keys(operations)) {
        await page.locator(`.opblock-${method} [data-path="${path}"]`).first().waitFor({ timeout: 10_000 });
      }
    }
    const blocks = await page.locator('.opblock').count();
    expect(blocks).toBe(Object.values(paths).reduce((sum, operations) => sum + Object.keys(operations).length, 0));
    expect(seen.foreignRequests).toEqual([]);
    expect(seen.cspViolations).toEqual([]);
    await screenshot(page, 'api-docs.png', false);
    await page.close();
  });
});
