/* The calendar's "Copy" buttons: copy the secret feed address from its read-only field. */
document.addEventListener("click", function (event) {
  var button = event.target.closest(".cal-copy");
  if (!button) { return; }
  var field = document.getElementById(button.dataset.copy);
  field.select();
  var done = function () { button.textContent = button.dataset.done; };
  if (navigator.clipboard) { navigator.clipboard.writeText(field.value).then(done); } else { document.execCommand("copy"); done(); }
});
