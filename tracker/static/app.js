// The pages' few behaviours, here rather than inline so the Content-Security-Policy forbids inline script.
// data-confirm on a form or a submit button: ask before sending; data-tick-all="NAME" on a checkbox:
// tick or untick every checkbox named NAME; data-print on a button: print the page.
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
