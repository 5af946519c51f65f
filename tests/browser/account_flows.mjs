// The flows of a customer's account, in Debian's Chromium: sign in from the
// header, land on the dashboard, open the account menu, sign out; in
// English and Azerbaijani, at desktop and phone widths, each page checked
// by axe and left as a screenshot under artifacts/.
// Then a new company signs up and verifies its e-mail with the code from
// the real message the portal's jobs sent (read from the mail catcher's
// .eml files), opens the security page from the account menu, turns on
// two-step verification with a code this script computes from the secret
// on the page (RFC 6238 with Node's HMAC-SHA1), keeps its recovery codes,
// signs out and signs in again with the password and then a code; in
// English and Azerbaijani, at desktop and phone widths.
// Usage: node account_flows.mjs BASE_URL DEMO_JSON MAIL_DIR
import { chromium } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';
import crypto from 'node:crypto';
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

// RFC 6238 (SHA-1, 6 digits, 30 s) of an RFC 4648 base32 secret, `ahead`
// steps from now: an implementation independent of the portal's.
function totp(secret, ahead = 0) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of secret.replace(/[\s=]/g, '').toUpperCase())
    bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map(b => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000 / 30) + ahead));
  const mac = crypto.createHmac('sha1', key).update(counter).digest();
  const at = mac[mac.length - 1] & 0x0f;
  const n = (mac.readUInt32BE(at) & 0x7fffffff) % 1000000;
  return String(n).padStart(6, '0');
}

async function submit(page, form) {
  await page.locator(`${form} [type="submit"]`).first().click();
  await page.waitForLoadState('load');
}

for (const [lang, size] of [['az', 'desktop'], ['en', 'desktop'], ['az', 'phone'], ['en', 'phone']]) {
  const label = `signup ${lang} ${size}`;
  const shot = name => page.screenshot({ path: path.join(artifacts, `${name}-${lang}-${size}.png`),
                                         fullPage: true });
  const context = await browser.newContext({ viewport: sizes[size] });
  const page = await context.newPage();
  await page.goto(`${base}/signin?lang=${lang}`);
  await page.locator('a[href="/signup"]').click();
  await page.waitForLoadState('load');
  check(new URL(page.url()).pathname === '/signup', `${label}: from sign-in to sign-up`);
  await axeClean(page, `${label} form`);
  const email = `browser-${lang}-${size}-${Date.now()}@gunes.example`;
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
  await shot('signup-errors');
  await page.fill('input[name="password"]', 'quiet-river-stone-41');
  await page.locator('form.form [type="submit"]').click();
  await page.waitForLoadState('load');
  check(new URL(page.url()).pathname === '/verify', `${label}: on to verification (${page.url()})`);
  await axeClean(page, `${label} verify`);
  await shot('verify');
  const code = await mailedCode(email);
  check(code !== null, `${label}: the code arrived by mail`);
  await page.fill('input[name="code"]', code || '');
  await page.locator('form.form [type="submit"]').first().click();
  await page.waitForLoadState('load');
  check(new URL(page.url()).pathname === '/account/', `${label}: verified, on the dashboard`);
  check(await page.locator('.alert-success').count() === 1, `${label}: verified notice`);
  await shot('account-verified');
  check(await page.locator('a[href="/account/security#two-factor"]').count() === 1,
        `${label}: the dashboard advises two-step verification`);

  // The security page, from the account menu.
  await page.locator('.account-menu > summary').click();
  await page.locator('.account-menu a[href="/account/security"]').click();
  await page.waitForLoadState('load');
  check(new URL(page.url()).pathname === '/account/security', `${label}: security page`);
  check(await page.locator('.security-sessions .badge-current').count() === 1,
        `${label}: this device is marked`);
  await axeClean(page, `${label} security`);
  await shot('security');

  // Enrolment: the QR code and the secret, then a code made from it.
  await submit(page, '#two-factor form');
  check(new URL(page.url()).pathname === '/account/security/2fa', `${label}: enrolment page`);
  check(await page.locator('.qr-frame svg.qr').count() === 1, `${label}: the QR code`);
  await axeClean(page, `${label} enrolment`);
  await shot('two-factor-enrol');
  const secret = await page.locator('#totp-secret').innerText();
  await page.fill('input[name="code"]', totp(secret));
  await submit(page, 'form.form');
  const codes = await page.locator('.recovery-codes code').allInnerTexts();
  check(codes.length === 10, `${label}: ten recovery codes (${codes.length})`);
  await axeClean(page, `${label} recovery codes`);
  await shot('recovery-codes');
  await page.locator('.form-actions a.btn-primary').click();
  await page.waitForLoadState('load');
  check(await page.locator('#two-factor .badge-on').count() === 1, `${label}: two-step is on`);
  await shot('security-on');

  // Signing out and in again asks for a code after the password.
  await page.locator('.account-menu > summary').click();
  await page.locator('.account-menu button[type="submit"]').click();
  await page.waitForLoadState('load');
  await page.fill('input[name="email"]', email);
  await page.fill('input[name="password"]', 'quiet-river-stone-41');
  await submit(page, 'form.form');
  check(new URL(page.url()).pathname === '/signin/2fa', `${label}: asked for a code (${page.url()})`);
  await axeClean(page, `${label} second step`);
  await shot('signin-2fa');
  await page.fill('input[name="code"]', totp(secret, 1));   // the enrolment spent this step
  await submit(page, 'form.form');
  check(new URL(page.url()).pathname === '/account/', `${label}: signed in with the code`);
  check(await page.locator('a[href="/account/security#two-factor"]').count() === 0,
        `${label}: no more two-step advice`);
  await page.locator('.account-menu > summary').click();
  await page.locator('.account-menu button[type="submit"]').click();
  await page.waitForLoadState('load');
  check(new URL(page.url()).pathname === '/signin', `${label}: signed out at the end`);
  await context.close();
}

await browser.close();
console.log(`browser (account): ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
