// The widget's texts. The script holds no strings of its own: the template translates them into
// data attributes (templates/widgets/search_select.html), with Python's %(name)s placeholders.

/** Return template with each %(key)s that values holds filled in; other placeholders stay. */
export function format(template, values) {
  return template.replace(/%\((\w+)\)s/g, (match, key) =>
    Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : match,
  );
}

/** Return what the status line says when `count` results are listed (never more than the
 * limit), adding that there are more matches when `more`. */
export function foundMessage(texts, count, more) {
  const message =
    count === 0 ? texts.noneFound
    : count === 1 ? texts.oneFound
    : format(texts.manyFound, { count });
  return more ? `${message} ${texts.moreFound}` : message;
}
