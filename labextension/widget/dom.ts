// The one way the widget makes HTML elements: data always goes in as text, never as markup.

export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  text?: string
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A new element at the end of ``parent``. */
export function add<K extends keyof HTMLElementTagNameMap>(
  parent: HTMLElement,
  tag: K,
  className: string,
  text?: string
): HTMLElementTagNameMap[K] {
  const e = element(tag, className, text);
  parent.append(e);
  return e;
}

/** Sets an attribute only when it differs: every write makes the browser lay the SVG out again. */
export function setIfChanged(e: Element, attribute: string, value: string): void {
  if (e.getAttribute(attribute) !== value) e.setAttribute(attribute, value);
}

/** Sets text only when it differs (see ``setIfChanged``). */
export function setTextIfChanged(e: Element | null, text: string): void {
  if (e !== null && e.textContent !== text) e.textContent = text;
}
