// The keys on the list of results. Tab and Enter work on the result buttons as on any button;
// the arrow keys are a shortcut, and Escape goes back to the search box.

/** Return where a key pressed on result `index` (of `count`) moves the focus: a result's
 * index (`index` itself at the end of the list), -1 for the search box, or null when the key
 * is not one of these. */
export function focusAfterKey(key, index, count) {
  if (key === "Escape") return -1;
  if (key !== "ArrowDown" && key !== "ArrowUp") return null;
  const next = index + (key === "ArrowDown" ? 1 : -1);
  if (next < 0) return -1;
  return next < count ? next : index;
}
