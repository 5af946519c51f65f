// Every public page in every language at desktop and phone widths, in
// Debian's Chromium: it opens, speaks its language, has no serious or
// critical axe violation, and leaves a screenshot under artifacts/. Then
// the flows a visitor follows: switching language, sending the contact
// form, choosing a plan.
// Usage: node public_pages.mjs BASE_URL
import { chromium } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const base = process.argv[2];
const here = path.dirname(fileURLToPath(import.meta.url));
const artifacts = path.join(here, 'artifacts');
fs.mkdirSync(artifacts, { recursive: true });

const pages = ['/', '/features', '/pricing', '/security', '/contact', '/signin', '/signup', '/forgot', '/no-such-page'];
const locales = ['en', 'tr', 'az', 'ru'];
const viewports = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } };

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

async function visit(context, url) {
  const page = await context.newPage();
  const problems = [];
  // Script errors, CSP refusals, and any asset the page needs that fails.
  page.on('console', m => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
  });
  page.on('pageerror', e => problems.push(e.message));
  page.on('response', r => {
    if (r.status() >= 400 && r.request().resourceType() !== 'document') problems.push(`${r.status()} ${r.url()}`);
  });
  page.on('requestfailed', r => problems.push(`failed ${r.url()}`));
  const response = await page.goto(url, { waitUntil: 'load' });
  return { page, response, problems };
}

function shotName(p, lang, size) {
  const name = p === '/' ? 'home' : p.slice(1).replace(/[^a-z0-9]+/g, '-');
  return path.join(artifacts, `${name}-${lang}-${size}.png`);
}

for (const [size, viewport] of Object.entries(viewports)) {
  const context = await browser.newContext({ viewport });
  for (const lang of locales) {
    for (const p of pages) {
      const label = `${p} ${lang} ${size}`;
      const { page, response, problems } = await visit(context, `${base}${p}?lang=${lang}`);
      const expected = p === '/no-such-page' ? 404 : 200;
      check(response.status() === expected, `${label}: status ${response.status()}`);
      check(await page.getAttribute('html', 'lang') === lang, `${label}: html lang`);
      check(problems.length === 0, `${label}: console errors (CSP?) ${problems.join(' | ')}`);
      check(await page.locator('h1').count() === 1, `${label}: exactly one h1`);
      const overflow = await page.evaluate(() =>
        document.documentElement.scrollWidth - document.documentElement.clientWidth);
      check(overflow <= 0, `${label}: wider than the screen by ${overflow}px`);
      const axe = await new AxeBuilder({ page }).analyze();
      const serious = axe.violations.filter(v => ['serious', 'critical'].includes(v.impact));
      check(serious.length === 0, `${label}: axe ${serious.map(v =>
        `${v.id} (${v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', ')})`).join('; ')}`);
      await page.screenshot({ path: shotName(p, lang, size), fullPage: true });
      await page.close();
    }
  }
  await context.close();
}

// Flows, in a fresh desktop context.
const context = await browser.newContext({ viewport: viewports.desktop });

{ // The language switcher takes the visitor to the same page in Turkish, and it sticks.
  const { page } = await visit(context, `${base}/pricing?lang=en`);
  await page.locator('details:has(a[hreflang="tr"]) > summary').first().click();
  await page.locator('a[hreflang="tr"]').first().click();
  await page.waitForLoadState('load');
  check(await page.getAttribute('html', 'lang') === 'tr', 'switcher: page turns Turkish');
  check(new URL(page.url()).pathname === '/pricing', 'switcher: same page');
  await page.goto(`${base}/features`);
  check(await page.getAttribute('html', 'lang') === 'tr', 'switcher: the choice is remembered');
  await page.close();
}

{ // Choosing a plan opens the sales form with the plan named.
  const { page } = await visit(context, `${base}/pricing?lang=en`);
  await page.locator('a[href*="months=12"]').first().click();
  await page.waitForLoadState('load');
  check(new URL(page.url()).pathname === '/contact', 'plan: leads to the contact form');
  const message = await page.locator('textarea[name="message"]').inputValue();
  check(message.includes('12 months'), `plan: message names the plan (${message})`);
  await page.close();
}

{ // The contact form: errors are shown beside the fields, then the message is sent.
  const { page } = await visit(context, `${base}/contact?lang=en`);
  await page.fill('input[name="name"]', 'Kamran Aliyev');
  await page.fill('input[name="email"]', 'kamran@example.az');
  await page.fill('textarea[name="message"]', 'short');
  // Let the server judge: skip the browser's own checks.
  await page.evaluate(() => document.querySelector('form[method="post"]').noValidate = true);
  await page.locator('form[method="post"] [type="submit"]').click();
  await page.waitForLoadState('load');
  check(await page.locator('[aria-invalid="true"]').count() >= 1, 'contact: invalid field marked');
  check(await page.inputValue('input[name="name"]') === 'Kamran Aliyev', 'contact: values kept');
  await page.screenshot({ path: path.join(artifacts, 'contact-errors-en-desktop.png'), fullPage: true });
  const axe = await new AxeBuilder({ page }).analyze();
  check(axe.violations.filter(v => ['serious', 'critical'].includes(v.impact)).length === 0,
        'contact errors: axe');
  await page.fill('textarea[name="message"]', 'We run three warehouses and need offline mode.');
  await page.setInputFiles('input[type="file"]', {
    name: 'screen.png', mimeType: 'image/png',
    buffer: Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex') });
  await page.locator('form[method="post"] [type="submit"]').click();
  await page.waitForLoadState('load');
  check(page.url().endsWith('/contact?sent=1'), `contact: sent (${page.url()})`);
  check(await page.locator('form[method="post"]').count() === 0, 'contact: thank-you replaces the form');
  await page.screenshot({ path: path.join(artifacts, 'contact-sent-en-desktop.png'), fullPage: true });
  await page.close();
}

{ // The admin status page (the allowlist lets 127.0.0.1 in).
  const { page, response } = await visit(context, `${base}/admin/?lang=en`);
  check(response.status() === 200, 'admin: status page opens');
  const axe = await new AxeBuilder({ page }).analyze();
  check(axe.violations.filter(v => ['serious', 'critical'].includes(v.impact)).length === 0,
        'admin: axe');
  await page.screenshot({ path: path.join(artifacts, 'admin-status-en-desktop.png'), fullPage: true });
  await page.close();
}

await context.close();
await browser.close();
console.log(`browser: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
