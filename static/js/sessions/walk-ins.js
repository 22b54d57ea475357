// The attendance form: "Add another walk-in" adds the row in the page rather than sending the
// form, and "Tick “attended” for everyone" ticks every registered person's choice without
// saving. Without JavaScript the first button sends the form, which comes back as typed with
// one more row (sessions.views.session_attendance), and the second stays hidden: "Mark everyone
// registered as attended" saves at once instead.

/** Return the markup of a new row from the empty form's markup: Django's formset writes
 * __prefix__ where the row's index goes; the legend's __number__ is the row's number. */
export function rowMarkup(template, index) {
  return template
    .replaceAll("__prefix__", String(index))
    .replaceAll("__number__", String(index + 1));
}

/** Add one row from `template` (a <template>), just before it, after the other rows, counting
 * it in `total` (the formset's TOTAL_FORMS input). Return the new row, or null at `maxRows`. */
export function addRow(template, total, maxRows) {
  const index = Number.parseInt(total.value, 10);
  if (!Number.isInteger(index) || index >= maxRows) return null;
  const holder = template.ownerDocument.createElement("div");
  holder.innerHTML = rowMarkup(template.innerHTML, index);
  const row = holder.firstElementChild;
  template.before(row);
  total.value = String(index + 1);
  return row;
}

export function setUpAttendance(form) {
  const rows = form.querySelector("[data-walk-ins]");
  const template = form.querySelector("template[data-walk-in-template]");
  const total = form.querySelector("input[name='walk_ins-TOTAL_FORMS']");
  const button = form.querySelector("button[name='add_walk_in']");
  const limit = form.querySelector("[data-walk-in-limit]");
  if (rows && template && total && button) {
    const maxRows = Number.parseInt(rows.dataset.maxRows, 10);
    button.addEventListener("click", (event) => {
      event.preventDefault();
      const row = addRow(template, total, maxRows);
      if (row === null) {
        if (limit) limit.hidden = false;
        return;
      }
      const first = row.querySelector("input, select");
      if (first) first.focus();
    });
  }
  const tickAll = form.querySelector("button[data-tick-all]");
  if (tickAll) {
    tickAll.hidden = false;
    tickAll.addEventListener("click", () => {
      for (const radio of form.querySelectorAll("input[type='radio'][name^='attendance_']")) {
        if (radio.value === "attended") radio.checked = true;
      }
    });
  }
}
