// Small progressive enhancements; every page works without this file.
// (The language form keeps an explicit "Change" button: submitting on "change" would fire on
// every arrow key for keyboard users.)
document.addEventListener("DOMContentLoaded", () => {
  for (const dialog of document.querySelectorAll("[data-dismissible]")) {
    const button = dialog.querySelector("button[data-dismiss]");
    if (button) button.addEventListener("click", () => dialog.remove());
  }

  // Signing out forgets what pages kept in this browser for the person (the roadmap's unsent
  // text, static/js/roadmap/): on a shared computer the next person must not find it.
  // data-clear-storage holds the prefix of the localStorage keys to remove.
  for (const form of document.querySelectorAll("form[data-clear-storage]")) {
    form.addEventListener("submit", () => {
      const prefix = form.dataset.clearStorage;
      if (!prefix) return;
      try {
        const keys = [];
        for (let index = 0; index < window.localStorage.length; index += 1) {
          const key = window.localStorage.key(index);
          if (key !== null && key.startsWith(prefix)) keys.push(key);
        }
        for (const key of keys) window.localStorage.removeItem(key);
      } catch (error) {
        // Storage disabled: there is nothing kept to clear.
      }
    });
  }
});
