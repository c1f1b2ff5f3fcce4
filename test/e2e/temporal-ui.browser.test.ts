/**
 * Opens the Temporal web UI in Debian's chromium, finds a signup saga by its
 * MemberId search attribute, reads its input decrypted through the API's codec
 * endpoint, sees each saga's summary and outcome in the workflow list (the
 * SagaSummary column) and its user metadata on its page, and saves
 * screenshots under test-results/.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, stack } from '../support/api.ts';
import { newBook, newMember, rent } from '../support/library.ts';
import { SEARCH } from '../../services/contracts/temporal.ts';
import { decodingClient } from '../support/temporal.ts';
import { launchChromium, screenshot } from '../support/browser.ts';

let browser: Browser;

/**
 * What the operator does: sign in once at the API (an HttpOnly cookie for /codec) and, once per
 * browser, tell the UI to send it (browser codec setting with cross-origin credentials), on the page
 * of one workflow. The caller reloads.
 */
async function useCodec(page: Page, workflowId: string): Promise<void> {
  const endpoint = `${stack().apiUrl}/codec`;
  await page.goto(`${endpoint}/login`);
  await page.getByLabel('Email').fill(process.env.ADMIN_EMAIL ?? 'admin@library.local');
  await page.getByLabel('Password').fill(process.env.ADMIN_PASSWORD ?? 'admin-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: /Signed in/ }).waitFor();

  await page.goto(`${stack().temporalUiUrl}/namespaces/default/workflows/${workflowId}`);
  await page.getByRole('button', { name: /Codec Server/ }).click();
  await page.getByRole('button', { name: /^Use Cluster-level setting/ }).click();
  await page.getByLabel(/Use my browser setting and ignore Cluster-level setting/).check({ force: true });
  await page.getByLabel('Codec Server browser endpoint').fill(endpoint);
  // The dialog's switches sit under the sticky top bar in a headless window: use the keyboard, as a user may.
  await page.getByRole('switch', { name: 'Include cross-origin credentials' }).focus();
  await page.keyboard.press('Space');
  expect(await page.getByRole('switch', { name: 'Include cross-origin credentials' }).isChecked()).toBe(true);
  await page.getByTestId('confirm-data-encoder-button').focus();
  await page.keyboard.press('Enter');
}

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe('Temporal web UI', () => {
  it('finds a signup saga by its MemberId search attribute', async () => {
    const { accepted, saga } = await signUp();
    const workflowId = `signup-${accepted.body.id}`;
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const query = encodeURIComponent(`MemberId="${saga.memberId}"`);
    await page.goto(`${stack().temporalUiUrl}/namespaces/default/workflows?query=${query}`);
    const row = page.getByRole('link', { name: workflowId });
    await row.waitFor({ timeout: 30_000 });
    expect(await page.getByRole('link', { name: /^signup-/ }).count()).toBe(1); // only this member's saga
    await screenshot(page, 'temporal-ui-signup.png', true);

    await row.click();
    await page.waitForURL(/\/workflows\/signup-/);
    await page.getByText('activateCredentials').first().waitFor({ timeout: 30_000 });
    await screenshot(page, 'temporal-ui-signup-detail.png', true);
    await page.close();
  });
  it("shows a saga's input decoded through the codec endpoint once an admin signed in at /codec/login", async () => {
    const { body, accepted, saga } = await signUp();
    const workflowId = `signup-${accepted.body.id}`;
    const endpoint = `${stack().apiUrl}/codec`;
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    const decodes: number[] = [];
    page.on('response', (response) => {
      if (response.url().startsWith(`${endpoint}/decode`)) decodes.push(response.status());
    });

    await useCodec(page, workflowId);
    decodes.length = 0; // before: the cluster-level endpoint without the cookie, 401
    await page.reload();

    // The Input panel shows the decrypted saga input: the member id and the nickname.
    await page.getByText(`"${body.nickname}"`).first().waitFor({ timeout: 30_000 });
    await expect(page.getByText(`"${saga.memberId}"`).first().isVisible()).resolves.toBe(true);
    expect(decodes).toContain(200);
    await screenshot(page, 'temporal-ui-decoded.png', false);
    await context.close();
  });

  it("tells sagas apart: the list shows each saga's summary with its outcome and code, loans apart; the page its user metadata", {
    timeout: 180_000,
  }, async () => {
    const holder = await newMember();
    const latecomer = await newMember();
    const { bookNo } = await newBook();
    const completed = await rent(holder.token, bookNo);
    expect(completed.status).toBe('COMPLETED');
    const refused = await rent(latecomer.token, bookNo);
    expect(refused.status).toBe('COMPENSATED');
    const client = await decodingClient();
    try {
      for (const [id, outcome] of [
        [refused.id, 'COMPENSATED: BOOK_NOT_AVAILABLE'],
        [completed.id, 'COMPLETED'],
      ] as const) {
        const handle = client.workflow.getHandle(`rent-${id}`);
        const description = await handle.describe();
        expect(await description.staticSummary()).toBe(`rent book ${bookNo}`);
        // The same line in the SagaSummary search attribute: what the UI's list can show as a column.
        expect(description.typedSearchAttributes.get(SEARCH.sagaSummary)).toBe(`rent book ${bookNo} — ${outcome}`);
        // What the UI asks a workflow for its current details (the built-in metadata query).
        const metadata = (await handle.query('__temporal_workflow_metadata')) as { currentDetails?: string };
        expect(metadata.currentDetails).toBe(`rent book ${bookNo} — ${outcome}`);
      }
      const loan = await client.workflow.getHandle(`loan-${completed.id}`).describe();
      expect(await loan.staticSummary()).toMatch(new RegExp(`^loan of book ${bookNo} \\(due .+\\)$`));
      expect(loan.typedSearchAttributes.get(SEARCH.sagaType)).toBe('loan');
    } finally {
      await client.connection.close();
    }
    // The list: the SagaSummary search attribute as a column (what the UI lists is search attributes; the
    // user-metadata summary is on each workflow's page), added once per browser with the column chooser.
    const context = await browser.newContext({ viewport: { width: 1900, height: 700 } });
    const page = await context.newPage();
    await page.goto(`${stack().temporalUiUrl}/namespaces/default/workflows?query=${encodeURIComponent(`BookNo="${bookNo}"`)}`);
    await page.getByRole('link', { name: `rent-${refused.id}` }).waitFor({ timeout: 30_000 });
    await page.getByTestId('workflows-summary-table-configuration-button').click();
    for (const column of ['Run ID', 'Start', 'End']) await page.getByRole('button', { name: `Remove ${column} column` }).click();
    for (const column of ['SagaSummary', 'SagaStatus', 'SagaType'])
      await page.getByRole('button', { name: `Add ${column} column` }).click();
    await page.getByRole('button', { name: /Close .* configuration/ }).click();
    const row = (workflowId: string) => page.locator('tr', { has: page.getByRole('link', { name: workflowId }) });
    await row(`rent-${refused.id}`).getByText(`rent book ${bookNo} — COMPENSATED: BOOK_NOT_AVAILABLE`).waitFor({ timeout: 30_000 });
    await row(`rent-${completed.id}`).getByText(`rent book ${bookNo} — COMPLETED`).waitFor();
    // The loan, told apart: its own type, SagaType loan, and a summary that says "loan of book".
    await row(`loan-${completed.id}`)
      .getByText(new RegExp(`^loan of book ${bookNo} \\(due .+\\) — (RUNNING|OVERDUE)$`))
      .waitFor(); // 8 s loans on the test stack
    await screenshot(page, 'temporal-ui-summaries.png', false);

    // A saga's page: its user-metadata summary and current details, shown once the UI may decode them (they are payloads, encrypted).
    await useCodec(page, `rent-${refused.id}`);
    await page.reload();
    await page.getByRole('tab', { name: /User Metadata/ }).click();
    // The UI renders each text as markdown in a frame of its own, the text in the frame's address.
    const rendered = (text: string) =>
      page.frameLocator(`iframe[src*="content=${encodeURIComponent(text)}&"]`).getByText(text, { exact: true });
    await rendered(`rent book ${bookNo}`).waitFor({ timeout: 30_000 }); // the summary
    await rendered(`rent book ${bookNo} — COMPENSATED: BOOK_NOT_AVAILABLE`).waitFor({ timeout: 30_000 }); // the current details
    await screenshot(page, 'temporal-ui-user-metadata.png', false);
    await context.close();
  });
});
