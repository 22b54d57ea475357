// Reading and writing the value of one roadmap field on the page. A field is an <input>, a
// <textarea>, a <select> or a <fieldset> of radio buttons or checkboxes (its value: the checked
// values joined by commas, as the server stores them).

/** Return the number of words: runs of non-space characters, as roadmaps.template.word_count. */
export function wordCount(text) {
  const trimmed = text.trim();
  return trimmed ? trimmed.split(/\s+/).length : 0;
}

const inputsOf = (fieldset) => Array.from(fieldset.querySelectorAll("input"));

export function readValue(el) {
  if (el.tagName === "FIELDSET") {
    return inputsOf(el)
      .filter((input) => input.checked)
      .map((input) => input.value)
      .join(",");
  }
  return el.value;
}

export function writeValue(el, value) {
  if (el.tagName === "FIELDSET") {
    const chosen = value ? value.split(",") : [];
    for (const input of inputsOf(el)) input.checked = chosen.includes(input.value);
  } else {
    el.value = value;
  }
}

/** Return value as the person reads it: the labels of the chosen options; empty for "". */
export function displayValue(el, value, empty) {
  if (!value) return empty;
  if (el.tagName === "FIELDSET") {
    const chosen = value.split(",");
    return inputsOf(el)
      .filter((input) => chosen.includes(input.value))
      .map((input) => {
        const label = el.querySelector(`label[for='${input.id}']`);
        return label ? label.textContent : input.value;
      })
      .join(", ");
  }
  if (el.tagName === "SELECT") {
    const option = Array.from(el.options).find((o) => o.value === value);
    return option ? option.textContent : value;
  }
  return value;
}
