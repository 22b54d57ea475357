// The panel shown under a field when someone else saved it while this person was editing it:
// both versions side by side, "Keep mine", "Keep theirs" and, for text, "Merge" into a box the
// person edits before saving. The choice itself is made by the save queue (save-queue.js).

// Kinds of field whose two versions can be joined into one text.
export const MERGEABLE_KINDS = ["text", "long_text", "limited_text", "email"];

/** Return whether a field of this kind offers "Merge". */
export const canMerge = (kind) => MERGEABLE_KINDS.includes(kind);

/** Return the text the merge box starts with: mine, a blank line, theirs. */
export const mergedText = (mine, theirs) => `${mine}\n\n${theirs}`;

/**
 * Return the heading of their version.
 *
 * conflict.by is null when the account is gone; conflict.at_display is null when the field holds
 * nothing saved yet (the page was sent a version the field never had).
 */
export function theirsLabel(conflict, say) {
  return conflict.at_display
    ? say("theirs", { name: conflict.by || say("someone"), time: conflict.at_display })
    : say("theirs_unsaved");
}

/**
 * Build the panel for field (key, kind) in document doc and return it.
 *
 * mine and theirs are the two versions as a person reads them (labels, not stored values);
 * mineValue is my stored value, which the merge box starts from. onKeepMine(), onKeepTheirs()
 * and onMerged(text) are called on the person's choice.
 */
export function buildConflictPanel(doc, options) {
  const { key, kind, conflict, say, mine, theirs, mineValue } = options;
  const { onKeepMine, onKeepTheirs, onMerged } = options;
  const element = (tag, className, text) => {
    const el = doc.createElement(tag);
    if (className) el.className = className;
    if (text !== undefined) el.textContent = text;
    return el;
  };
  const button = (className, text, onClick) => {
    const el = element("button", className, text);
    el.type = "button";
    if (onClick) el.addEventListener("click", onClick);
    return el;
  };
  const version = (label, text, which) => {
    const box = element("div", "conflict-version");
    box.append(element("p", "conflict-label", label));
    const body = element("div", "conflict-text", text);
    body.dataset.versionOf = which;
    box.append(body);
    return box;
  };

  const panel = element("div", "conflict-panel");
  panel.id = `conflict-${key}`;
  panel.setAttribute("role", "group");
  panel.setAttribute("aria-labelledby", `conflict-title-${key}`);
  panel.dataset.conflictFor = key;
  const title = element("p", "conflict-title", say("conflict_title"));
  title.id = `conflict-title-${key}`;
  panel.append(title);

  const versions = element("div", "conflict-versions");
  versions.append(
    version(say("yours"), mine, "yours"),
    version(theirsLabel(conflict, say), theirs, "theirs"),
  );
  panel.append(versions);

  const actions = element("div", "form-actions");
  actions.append(
    button("", say("keep_mine"), onKeepMine),
    button("secondary", say("keep_theirs"), onKeepTheirs),
  );
  panel.append(actions);

  if (canMerge(kind)) {
    const mergeButton = button("secondary", say("merge"));
    actions.append(mergeButton);
    const merge = element("div", "conflict-merge");
    merge.hidden = true;
    const label = element("label", "", say("merged_label"));
    label.htmlFor = `merge-${key}`;
    const area = element("textarea");
    area.id = `merge-${key}`;
    area.rows = 6;
    area.value = mergedText(mineValue, conflict.theirs);
    merge.append(label, area, button("", say("save_merged"), () => onMerged(area.value)));
    panel.append(merge);
    mergeButton.addEventListener("click", () => {
      merge.hidden = false;
      area.focus();
    });
  }
  return panel;
}
