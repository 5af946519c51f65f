// Proof of work in Debian's Chromium: with the address's sign-in rate past
// the threshold (run.py sets the counter), the sign-in page carries a
// challenge that htdocs/js/pow.js solves with WebCrypto before the form
// goes; the person signs in as usual. The page is checked by axe and left
// as a screenshot under artifacts/, as is the sign-up page with its
// challenge.
// Usage: node pow_flow.mjs BASE_URL DEMO_JSON
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

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

for (const lang of ['en', 'ru']) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', e => problems.push(e.message));
  page.on('console', m => { if (m.type() === 'error') problems.push(m.text()); });

  await page.goto(`${base}/signin?lang=${lang}`);
  check(await page.locator('input[name="pow_challenge"]').count() === 1,
        `${lang}: the sign-in page carries a challenge`);
  await page.screenshot({ path: path.join(artifacts, `signin-pow-${lang}.png`), fullPage: true });
  const axe = await new AxeBuilder({ page }).analyze();
  const serious = axe.violations.filter(v => ['serious', 'critical'].includes(v.impact));
  check(serious.length === 0, `${lang} sign-in with a challenge: axe ${serious.map(v => v.id).join(', ')}`);

  // Submitting at once: the script holds the form until the work is done.
  const started = Date.now();
  await page.fill('input[name="email"]', demo.customer.email);
  await page.fill('input[name="password"]', demo.customer.password);
  await Promise.all([
    page.waitForURL(u => new URL(u).pathname === '/account/', { timeout: 60000 }),
    page.locator('form.form [type="submit"]').click(),
  ]).catch(e => problems.push(`no dashboard: ${e.message}`));
  check(new URL(page.url()).pathname === '/account/', `${lang}: signed in with the work (${page.url()})`);
  console.log(`pow ${lang}: solved and signed in in ${Date.now() - started} ms`);

  const visitor = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const signup = await visitor.newPage();
  signup.on('pageerror', e => problems.push(e.message));
  await signup.goto(`${base}/signup?lang=${lang}`);
  check(await signup.locator('input[name="pow_challenge"]').count() === 1,
        `${lang}: the sign-up page carries a challenge`);
  await signup.waitForFunction(() => document.querySelector('input[name="pow_nonce"]').value !== '',
                               null, { timeout: 60000 }).catch(e => problems.push(e.message));
  check(await signup.locator('[data-pow-status]').isHidden(), `${lang}: the notice goes when solved`);
  await signup.screenshot({ path: path.join(artifacts, `signup-pow-${lang}.png`), fullPage: true });

  check(problems.length === 0, `${lang}: no script errors or CSP refusals: ${problems.join(' | ')}`);
  await visitor.close();
  await context.close();
}

// Without JavaScript: the page says what to do, and the post is refused
// with a page that says it again.
{
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 },
                                             javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${base}/signin?lang=en`);
  check((await page.content()).includes('needs JavaScript'), 'no script: the page explains');
  check(await page.locator('[data-pow-status]').isHidden(), 'no script: no notice of work being done');
  await page.screenshot({ path: path.join(artifacts, 'signin-pow-noscript.png'), fullPage: true });
  await page.fill('input[name="email"]', demo.customer.email);
  await page.fill('input[name="password"]', demo.customer.password);
  const [answer] = await Promise.all([
    page.waitForNavigation(),
    page.locator('form.form [type="submit"]').click(),
  ]);
  check(answer.status() === 429, `no script: refused with 429 (${answer.status()})`);
  check((await page.locator('h1').innerText()).includes('not a bot'), 'no script: the refusal says why');
  await page.screenshot({ path: path.join(artifacts, 'signin-pow-refused.png'), fullPage: true });
  await context.close();
}

await browser.close();
console.log(`browser pow: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
