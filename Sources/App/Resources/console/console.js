// Conveniences only: every console flow works without this script.
// After a refused form, the first field with a problem takes the focus, so a keyboard user can fix it at once.
document.addEventListener("DOMContentLoaded", function () {
  var invalid = document.querySelector("[aria-invalid=true]");
  if (invalid) {
    invalid.focus();
  }
});
