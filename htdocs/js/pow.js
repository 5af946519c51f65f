/* Proof of work for the sign-in and sign-up forms (mod_portal/core/pow.h).
 * When the page carries a challenge, finds a nonce such that
 * SHA-256(challenge + nonce) starts with data-pow-bits zero bits, puts it in
 * the hidden pow_nonce field, and lets the form go. Work starts when the
 * page loads, so it is usually done before the person has typed; a submit
 * before that waits for it. No inline script: the CSP allows 'self'. */
(function () {
  "use strict";

  var BATCH = 256;

  function zeroBits(bytes) {
    var bits = 0;
    for (var i = 0; i < bytes.length; i++) {
      if (bytes[i] === 0) { bits += 8; continue; }
      for (var b = bytes[i]; !(b & 0x80); b <<= 1) bits++;
      break;
    }
    return bits;
  }

  function solve(challenge, bits) {
    var encoder = new TextEncoder();
    function batch(start) {
      var tries = [];
      for (var i = 0; i < BATCH; i++)
        tries.push(crypto.subtle.digest("SHA-256", encoder.encode(challenge + (start + i))));
      return Promise.all(tries).then(function (digests) {
        for (var i = 0; i < digests.length; i++)
          if (zeroBits(new Uint8Array(digests[i])) >= bits) return String(start + i);
        return batch(start + BATCH);
      });
    }
    return batch(0);
  }

  function arm(field) {
    var form = field.form;
    var challenge = form.elements.pow_challenge.value;
    var bits = parseInt(field.getAttribute("data-pow-bits"), 10);
    var status = form.querySelector("[data-pow-status]");
    var done = false, waiting = false;
    if (!window.crypto || !crypto.subtle || !window.TextEncoder) return;
    if (status) status.hidden = false;   /* said only where the script works */
    solve(challenge, bits).then(function (nonce) {
      field.value = nonce;
      done = true;
      if (status) status.hidden = true;
      if (waiting) form.submit();
    });
    form.addEventListener("submit", function (event) {
      if (done) return;
      event.preventDefault();
      waiting = true;
      var button = form.querySelector("button[type=submit]");
      if (button) button.disabled = true;
    });
  }

  var fields = document.querySelectorAll("input[name=pow_nonce]");
  for (var i = 0; i < fields.length; i++) arm(fields[i]);
})();
