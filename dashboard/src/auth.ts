import { h } from './dom.js'

const KEY = 'genswarms.token'

/** The API token for this tab only: sessionStorage ends with the tab. */
export function storedToken(): string | null {
  return sessionStorage.getItem(KEY)
}

export function forgetToken(): void {
  sessionStorage.removeItem(KEY)
}

/** Asks for the token in the page itself, saying why; resolves once one is entered. */
export function askForToken(main: HTMLElement, reason: string): Promise<string> {
  return new Promise((resolve) => {
    const input = h('input', { type: 'password', name: 'token', placeholder: 'GENSWARMS_API_TOKEN', size: 40, autocomplete: 'off', required: true })
    const form = h('form', { class: 'inline', id: 'token-form' }, input, h('button', { type: 'submit' }, 'Connect'))
    form.addEventListener('submit', (e) => {
      e.preventDefault()
      const token = input.value.trim()
      if (!token) return
      sessionStorage.setItem(KEY, token)
      resolve(token)
    })
    main.replaceChildren(
      h('section', { class: 'panel', id: 'token-panel' },
        h('h2', {}, 'API token'),
        h('p', { class: 'token-reason' }, reason),
        form,
        h('p', { class: 'meta' }, 'Kept for this tab only (sessionStorage); sent as Authorization: Bearer on REST and ?token= on the socket.')),
    )
    input.focus()
  })
}
