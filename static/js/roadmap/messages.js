// The page's texts. The scripts hold no strings of their own: the template translates them
// (templates/roadmaps/_messages.html) with placeholders such as {time}, filled in here.

/** Return say(name, values): the text called name with each {placeholder} filled in. */
export function formatter(messages) {
  return (name, values = {}) => {
    let text = messages[name] || "";
    for (const [key, value] of Object.entries(values)) {
      text = text.split(`{${key}}`).join(value);
    }
    return text;
  };
}

/** Read the texts from the hidden [data-msg] elements under root. */
export function readMessages(root) {
  const messages = {};
  if (!root) return messages;
  for (const el of root.querySelectorAll("[data-msg]")) messages[el.dataset.msg] = el.textContent;
  return messages;
}
