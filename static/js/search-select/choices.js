// The <select> the form submits. It holds only the chosen options (and the empty option of a
// single select); choosing adds an option, removing takes it out.

/** Return the options chosen in select, in their order; the empty option is never one. */
export function chosenOptions(select) {
  return Array.from(select.options).filter((option) => option.value !== "" && option.selected);
}

/** Choose the row `value` in select and return its option, made with makeOption(label, value)
 * when the select has none yet. A single select first drops the row it held. */
export function chooseOption(select, value, label, makeOption) {
  let option = Array.from(select.options).find((candidate) => candidate.value === value);
  if (!select.multiple) {
    for (const other of Array.from(select.options)) {
      if (other.value !== "" && other.value !== value) other.remove();
    }
  }
  if (!option) {
    option = makeOption(label, value);
    select.add(option);
  }
  option.selected = true;
  return option;
}

/** Take option out of select; a single select is left with its empty choice. */
export function removeOption(select, option) {
  option.remove();
  if (!select.multiple) select.value = "";
}
