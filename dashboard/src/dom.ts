/** A small element builder: the page is plain DOM, no framework. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number | boolean | ((e: Event) => void) | undefined> = {},
  ...children: (Node | string | null | undefined)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag)
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue
    if (typeof value === 'function') el.addEventListener(key.replace(/^on/, ''), value)
    else if (key === 'class') el.className = String(value)
    else el.setAttribute(key, value === true ? '' : String(value))
  }
  for (const child of children) if (child !== null && child !== undefined) el.append(child)
  return el
}

export function clear(el: Element): void {
  while (el.firstChild) el.removeChild(el.firstChild)
}

export function time(iso: string | undefined): string {
  if (!iso) return ''
  const d = new Date(iso)
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleTimeString()
}

/** Keeps a scrolling list to its newest `max` children, following the bottom when the reader is there. */
export function appendCapped(list: HTMLElement, item: HTMLElement, max = 500): void {
  const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 4
  list.append(item)
  while (list.childElementCount > max) list.firstElementChild!.remove()
  if (atBottom) list.scrollTop = list.scrollHeight
}

export function notice(message: string | null, kind: 'error' | 'info' = 'error'): void {
  const el = document.getElementById('notice')!
  el.hidden = message === null
  el.className = kind === 'info' ? 'info' : ''
  el.textContent = message ?? ''
}

/** Runs a user's action; a refusal is shown in the notice bar rather than lost in the console. */
export async function attempt(action: () => Promise<unknown>): Promise<void> {
  try {
    notice(null)
    await action()
  } catch (err) {
    notice((err as Error).message)
  }
}
