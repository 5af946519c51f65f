// The flows of a customer's account, in Debian's Chromium: sign in from the
// header, land on the dashboard, open the account menu, sign out; in
// English and Azerbaijani, at desktop and phone widths, each page checked
// by axe and left as a screenshot under artifacts/.
// Usage: node account_flows.mjs BASE_URL DEMO_JSON
import { chromium } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const base = process.argv[2];
const demo = JSON.parse(process.argv[3]);
const here = path.dirname(fileURLToPath(import.meta.url));
const artifacts = path.join(here, 'artifacts');
fs.mkdirSync(artifacts, { recursive: true });

let passed = 0, failed = 0;
function check(ok, what) {
  if (ok) passed++;
  else { failed++; console.log(`FAIL ${what}`); }
}

async function axeClean(page, label) {
  const axe = await new AxeBuilder({ page }).analyze();
  const serious = axe.violations.filter(v => ['serious', 'critical'].includes(v.impact));
  check(serious.length === 0, `${label}: axe ${serious.map(v =>
    `${v.id} (${v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', ')})`).join('; ')}`);
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

const sizes = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } };
for (const lang of ['en', 'az']) {
  for (const [size, viewport] of Object.entries(sizes)) {
    const label = `${lang} ${size}`;
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    const problems = [];
    page.on('pageerror', e => problems.push(e.message));
    // The wrong-password answer is a 401 page, which Chromium logs: only
    // script errors and CSP refusals count here.
    page.on('console', m => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
    });

    // A visitor opens the dashboard and is asked to sign in first.
    await page.goto(`${base}/account/?lang=${lang}`);
    check(new URL(page.url()).pathname === '/signin', `${label}: sent to sign in (${page.url()})`);
    await axeClean(page, `${label} sign-in`);

    // A wrong password: the form says so and keeps the e-mail.
    await page.fill('input[name="email"]', demo.customer.email);
    await page.fill('input[name="password"]', 'not-the-right-password');
    await page.locator('form.form [type="submit"]').click();
    await page.waitForLoadState('load');
    check(await page.locator('.alert-error').count() === 1, `${label}: wrong password shown`);
    check(await page.inputValue('input[name="email"]') === demo.customer.email,
          `${label}: e-mail kept`);
    await page.screenshot({ path: path.join(artifacts, `signin-error-${lang}-${size}.png`),
                            fullPage: true });

    // The right one lands on the dashboard, where they were going.
    await page.fill('input[name="password"]', demo.customer.password);
    await page.locator('form.form [type="submit"]').click();
    await page.waitForLoadState('load');
    check(new URL(page.url()).pathname === '/account/', `${label}: dashboard (${page.url()})`);
    check((await page.locator('h1').innerText()).includes(demo.customer.company),
          `${label}: the company's name`);
    check(await page.locator('.session-list li').count() >= 1, `${label}: recent sign-ins`);
    await axeClean(page, `${label} dashboard`);
    await page.screenshot({ path: path.join(artifacts, `account-${lang}-${size}.png`),
                            fullPage: true });

    // The account menu signs out.
    await page.locator('.account-menu > summary').click();
    await page.screenshot({ path: path.join(artifacts, `account-menu-${lang}-${size}.png`) });
    await page.locator('.account-menu button[type="submit"]').click();
    await page.waitForLoadState('load');
    check(new URL(page.url()).pathname === '/signin', `${label}: signed out (${page.url()})`);
    check(await page.locator('.alert-success').count() === 1, `${label}: signed-out notice`);
    await page.goto(`${base}/account/`);
    check(new URL(page.url()).pathname === '/signin', `${label}: the dashboard is closed again`);
    check(problems.length === 0, `${label}: console errors ${problems.join(' | ')}`);
    await context.close();
  }
}

await browser.close();
console.log(`browser (account): ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
