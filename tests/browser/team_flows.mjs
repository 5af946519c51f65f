// The team flows in Debian's Chromium: the demo owner opens the team page,
// invites a new address; the second person opens the link from the real
// message (the mail catcher's .eml file), creates an account and lands in
// the team. Also the profile, company and companies pages. In English and
// Azerbaijani, at desktop and phone widths, each page checked by axe and
// left as a screenshot under artifacts/.
// Usage: node team_flows.mjs BASE_URL DEMO_JSON MAIL_DIR
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

async function shot(page, name) {
  await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
}

// The invitation link of the last message to address: its base64 parts
// decoded, the first /invite/ URL in them.
async function mailedInvite(address) {
  for (let waited = 0; waited < 15000; waited += 200) {
    const files = fs.readdirSync(maildir).filter(f => f.endsWith('.eml')).sort();
    for (const f of files.reverse()) {
      const raw = fs.readFileSync(path.join(maildir, f), 'latin1');
      const head = raw.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ');
      if (!head.toLowerCase().includes(`to: ${address}`)) continue;
      const parts = raw.split(/\r?\n\r?\n/).slice(1);
      for (const part of parts) {
        const text = Buffer.from(part.replace(/\s+/g, ''), 'base64').toString('utf8');
        const m = text.match(/https?:\/\/[^\s"<]+\/invite\/[A-Za-z0-9_-]{43}/);
        if (m) return m[0];
      }
    }
    await new Promise(r => setTimeout(r, 200));
  }
  return null;
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const watch = (page, problems) => {
  page.on('pageerror', e => problems.push(e.message));
  page.on('console', m => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
  });
};

// The demo owner signs in once (sign-ins are rate-limited per account);
// every width and language reuses that session.
const login = await browser.newContext();
const lp = await login.newPage();
await lp.goto(`${base}/signin?lang=en`);
await lp.fill('input[name="email"]', demo.customer.email);
await lp.fill('input[name="password"]', demo.customer.password);
await lp.locator('form.form [type="submit"]').click();
await lp.waitForLoadState('load');
check(new URL(lp.url()).pathname === '/account/', `owner signed in (${lp.url()})`);
const ownerState = await login.storageState();
await login.close();

const sizes = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } };
for (const lang of ['en', 'az']) {
  for (const [size, viewport] of Object.entries(sizes)) {
    const label = `${lang} ${size}`;
    const problems = [];
    const owner = await browser.newContext({ viewport, storageState: ownerState });
    const page = await owner.newPage();
    watch(page, problems);

    // The owner's own pages.
    await page.goto(`${base}/account/profile?lang=${lang}`);
    check(await page.locator('select[name="time_zone"] option').count() > 100,
          `${label}: real time zones offered`);
    await axeClean(page, `${label} profile`);
    await shot(page, `profile-${lang}-${size}`);
    await page.goto(`${base}/account/company`);
    check(await page.inputValue('input[name="name"]') === demo.customer.company,
          `${label}: the company's name in its form`);
    await page.fill('input[name="tax_id"]', '123');
    await page.evaluate(() => document.querySelector('form.form').noValidate = true);
    await page.locator('form.form [type="submit"]').click();
    await page.waitForLoadState('load');
    check(await page.locator('#company-tax-id[aria-invalid="true"]').count() === 1,
          `${label}: a bad VÖEN is marked`);
    await axeClean(page, `${label} company errors`);
    await shot(page, `company-errors-${lang}-${size}`);

    // The team page and an invitation.
    await page.goto(`${base}/account/team`);
    check(await page.locator('.team-table').first().locator('tbody tr').count() >= 2,
          `${label}: the members are listed`);
    await axeClean(page, `${label} team`);
    const email = `team-${lang}-${size}-${Date.now()}@gunes.example`;
    await page.fill('input[name="email"]', email);
    await page.selectOption('#invite-role', 'member');
    await page.locator('#invite-title ~ form [type="submit"]').click();
    await page.waitForLoadState('load');
    check(await page.locator('.alert-success').count() === 1, `${label}: invitation sent`);
    check((await page.locator('#invitations-title ~ .table-wrap').innerText()).includes(email),
          `${label}: the invitation is listed`);
    await axeClean(page, `${label} team with invitation`);
    await shot(page, `team-invited-${lang}-${size}`);

    // The second person opens the mailed link in a browser of their own.
    const link = await mailedInvite(email);
    check(link !== null, `${label}: the invitation arrived by mail`);
    const guest = await browser.newContext({ viewport });
    const gp = await guest.newPage();
    watch(gp, problems);
    await gp.goto(`${link || base + '/invite/none'}?lang=${lang}`);
    check((await gp.locator('h1').innerText()).includes(demo.customer.company),
          `${label}: the invitation names the company`);
    await axeClean(gp, `${label} invitation`);
    await shot(gp, `invite-${lang}-${size}`);
    await gp.fill('input[name="name"]', 'Leyla Quliyeva');
    await gp.fill('input[name="password"]', 'amber-harbour-window-58');
    await gp.check('input[name="terms"]');
    await gp.locator('form.form [type="submit"]').click();
    await gp.waitForLoadState('load');
    const landed = new URL(gp.url()).pathname === '/account/team';
    if (!landed) await shot(gp, `invite-refused-${lang}-${size}`);
    check(landed, `${label}: landed in the team (${gp.url()}): ${landed ? ''
          : (await gp.locator('.alert').allInnerTexts()).join(' | ')}`);
    check(await gp.locator('.alert-success').count() === 1, `${label}: welcome notice`);
    check((await gp.locator('.team-table').first().innerText()).includes(email),
          `${label}: the new member is in the list`);
    await axeClean(gp, `${label} team as the new member`);
    await shot(gp, `team-joined-${lang}-${size}`);
    await gp.goto(`${base}/account/company`);
    await axeClean(gp, `${label} company read-only`);
    await shot(gp, `company-readonly-${lang}-${size}`);
    await gp.goto(`${base}/account/companies`);
    await axeClean(gp, `${label} companies`);
    await shot(gp, `companies-${lang}-${size}`);
    await gp.goto(`${link || base + '/invite/none'}`);
    check(await gp.locator('.alert-error').count() === 1, `${label}: a used link says so`);
    await axeClean(gp, `${label} used invitation`);
    await shot(gp, `invite-used-${lang}-${size}`);
    check(problems.length === 0, `${label}: console errors ${problems.join(' | ')}`);
    await guest.close();
    await owner.close();
  }
}

await browser.close();
console.log(`browser (team): ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
