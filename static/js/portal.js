// Small progressive enhancements; every page works without this file.
// (The language form keeps an explicit "Change" button: submitting on "change" would fire on
// every arrow key for keyboard users.)
document.addEventListener("DOMContentLoaded", () => {
  for (const dialog of document.querySelectorAll("[data-dismissible]")) {
    const button = dialog.querySelector("button[data-dismiss]");
    if (button) button.addEventListener("click", () => dialog.remove());
  }
});
