// The pages' few behaviours, here rather than inline so the Content-Security-Policy forbids inline script.
// data-confirm on a form or a submit button: ask before sending; data-tick-all="NAME" on a checkbox:
// tick or untick every checkbox named NAME; data-print on a button: print the page; data-autosubmit on a
// select: send its form as soon as a choice is made (the nav's campaign switcher).
"use strict";
document.addEventListener("submit", function (event) {
  const form = event.target;
  const button = event.submitter;
  const text = (button && button.dataset.confirm) || form.dataset.confirm;
  if (text && !window.confirm(text)) {
    event.preventDefault();
  }
});
document.addEventListener("click", function (event) {
  const box = event.target.closest("[data-tick-all]");
  if (box) {
    for (const b of document.querySelectorAll("input[name='" + box.dataset.tickAll + "']")) {
      b.checked = box.checked;
    }
  }
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
document.addEventListener("change", function (event) {
  const field = event.target.closest("[data-autosubmit]");
  if (field && field.form) {
    field.form.requestSubmit();
  }
});
