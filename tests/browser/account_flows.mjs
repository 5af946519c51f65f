// The flows of a customer's account, in Debian's Chromium: sign in from the
// header, land on the dashboard, open the account menu, sign out; in
// English and Azerbaijani, at desktop and phone widths, each page checked
// by axe and left as a screenshot under artifacts/.
// Then a new company signs up and verifies its e-mail with the code from
// the real message the portal's jobs sent (read from the mail catcher's
// .eml files).
// Usage: node account_flows.mjs BASE_URL DEMO_JSON MAIL_DIR
import { chromium } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const base = process.argv[2];
const demo = JSON.parse(process.argv[3]);
const maildir = process.argv[4];
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

// The 6-digit code of the last message to address, from its Subject
// (RFC 2047 encoded words decoded).
async function mailedCode(address) {
  for (let waited = 0; waited < 15000; waited += 200) {
    const files = fs.readdirSync(maildir).filter(f => f.endsWith('.eml')).sort();
    for (const f of files.reverse()) {
      const raw = fs.readFileSync(path.join(maildir, f), 'latin1');
      const head = raw.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ');
      if (!head.toLowerCase().includes(`to: ${address}`)) continue;
      const subject = (head.match(/^Subject: (.*)$/mi) || [])[1] || '';
      const decoded = subject.replace(/=\?UTF-8\?([BQ])\?([^?]*)\?=\s*/gi, (_, enc, text) =>
        enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8')
          : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi,
              (m, h) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'));
      const code = decoded.match(/\b(\d{6})\b/);
      if (code) return code[1];
    }
    await new Promise(r => setTimeout(r, 200));
  }
  return null;
}

for (const lang of ['az', 'en']) {
  const label = `signup ${lang}`;
  const context = await browser.newContext({ viewport: sizes.desktop });
  const page = await context.newPage();
  await page.goto(`${base}/signin?lang=${lang}`);
  await page.locator('a[href="/signup"]').click();
  await page.waitForLoadState('load');
  check(new URL(page.url()).pathname === '/signup', `${label}: from sign-in to sign-up`);
  await axeClean(page, `${label} form`);
  const email = `browser-${lang}-${Date.now()}@gunes.example`;
  await page.fill('input[name="company"]', lang === 'az' ? 'Günəş Logistika MMC' : 'Sunrise Logistics LLC');
  await page.fill('input[name="city"]', 'Gəncə');
  await page.fill('input[name="name"]', 'Nigar Həsənova');
  await page.fill('input[name="email"]', email);
  await page.fill('input[name="password"]', 'short');
  await page.check('input[name="terms"]');
  await page.evaluate(() => document.querySelector('form.form').noValidate = true);
  await page.locator('form.form [type="submit"]').click();
  await page.waitForLoadState('load');
  check(await page.locator('#signup-password[aria-invalid="true"]').count() === 1,
        `${label}: a short password is marked`);
  await page.screenshot({ path: path.join(artifacts, `signup-errors-${lang}.png`), fullPage: true });
  await page.fill('input[name="password"]', 'quiet-river-stone-41');
  await page.locator('form.form [type="submit"]').click();
  await page.waitForLoadState('load');
  check(new URL(page.url()).pathname === '/verify', `${label}: on to verification (${page.url()})`);
  await axeClean(page, `${label} verify`);
  await page.screenshot({ path: path.join(artifacts, `verify-${lang}.png`), fullPage: true });
  const code = await mailedCode(email);
  check(code !== null, `${label}: the code arrived by mail`);
  await page.fill('input[name="code"]', code || '');
  await page.locator('form.form [type="submit"]').first().click();
  await page.waitForLoadState('load');
  check(new URL(page.url()).pathname === '/account/', `${label}: verified, on the dashboard`);
  check(await page.locator('.alert-success').count() === 1, `${label}: verified notice`);
  await page.screenshot({ path: path.join(artifacts, `account-verified-${lang}.png`), fullPage: true });
  await context.close();
}

await browser.close();
console.log(`browser (account): ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
