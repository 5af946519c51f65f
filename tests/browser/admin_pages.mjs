// The admin area in Debian's Chromium: the enrolment page of a new admin
// (QR code), the sign-in with a TOTP code, then every admin page as the
// demo super admin, each checked by axe and left as a screenshot under
// artifacts/ — in English at desktop width and Azerbaijani on a phone.
// Usage: node admin_pages.mjs BASE_URL DEMO_JSON ENROL_LINK
import { chromium } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const base = process.argv[2];
const demo = JSON.parse(process.argv[3]);
const enrolLink = process.argv[4];
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

// RFC 6238 with the defaults (SHA-1, 6 digits, 30 s), step offset from now.
function totp(base32, offset = 0) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of base32.replace(/=+$/, '')) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map(b => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30000) + offset));
  const h = crypto.createHmac('sha1', key).update(counter).digest();
  const o = h[h.length - 1] & 15;
  return String((h.readUInt32BE(o) & 0x7fffffff) % 1000000).padStart(6, '0');
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

const runs = [
  { lang: 'en', size: 'desktop', viewport: { width: 1280, height: 800 }, offset: 0 },
  { lang: 'az', size: 'phone', viewport: { width: 390, height: 844 }, offset: 1 },
];
for (const { lang, size, viewport, offset } of runs) {
  const label = `${lang} ${size}`;
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', e => problems.push(e.message));
  page.on('console', m => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
  });
  const shot = async (name) => {
    await axeClean(page, `${label} ${name}`);
    await page.screenshot({ path: path.join(artifacts, `admin-${name}-${lang}-${size}.png`),
                            fullPage: true });
  };

  await page.goto(`${enrolLink}?lang=${lang}`);
  check(await page.locator('svg.qr').count() === 1, `${label}: the enrolment QR code`);
  await shot('enrol');

  await page.goto(`${base}/admin/tenants?lang=${lang}`);
  check(new URL(page.url()).pathname === '/admin/signin', `${label}: sent to sign in`);
  await shot('signin');
  await page.fill('input[name="email"]', demo.admin.email);
  await page.fill('input[name="password"]', demo.admin.password);
  await page.fill('input[name="code"]', totp(demo.admin.totp_secret, offset));
  await page.locator('form.form [type="submit"]').click();
  await page.waitForLoadState('load');
  check(new URL(page.url()).pathname === '/admin/tenants', `${label}: signed in (${page.url()})`);
  check((await page.locator('.admin-who').innerText()).includes(demo.admin.email),
        `${label}: the admin's e-mail in the header`);
  await shot('tenants');

  await page.locator('table a').filter({ hasText: demo.customer.company }).first().click();
  await page.waitForLoadState('load');
  check((await page.locator('h1').innerText()).includes(demo.customer.company), `${label}: tenant`);
  await shot('tenant');
  await page.locator('table a').filter({ hasText: demo.customer.email }).first().click();
  await page.waitForLoadState('load');
  check((await page.locator('h1').innerText()).includes(demo.customer.email), `${label}: user`);
  await shot('user');
  for (const name of ['admins', 'audit', 'outbox']) {
    await page.goto(`${base}/admin/${name}`);
    check(await page.locator('h1').count() === 1, `${label}: ${name}`);
    await shot(name);
  }
  await page.goto(`${base}/admin/`);
  await shot('status');
  await page.locator('.admin-signout button').click();
  await page.waitForLoadState('load');
  check(new URL(page.url()).pathname === '/admin/signin', `${label}: signed out`);
  check(problems.length === 0, `${label}: no script errors or CSP refusals: ${problems.join('; ')}`);
  await context.close();
}
await browser.close();
console.log(`admin pages: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
