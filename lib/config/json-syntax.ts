/**
 * Finds where JSON text first goes wrong. V8's JSON.parse gives a position
 * for most syntax errors but not for "Unexpected token" ones (a stray comma,
 * a misspelt `true`), which are exactly the ones users make in config files.
 * Only run after JSON.parse has failed, so it favours brevity over speed.
 */
export function jsonErrorOffset(text: string): number | undefined {
  let i = 0
  const STRING_BODY = /(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*/y
  const SCALAR = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y

  const skipSpace = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++
  }
  const expect = (ch: string) => {
    if (text[i] !== ch) throw i
    i++
  }
  const matchAt = (re: RegExp) => {
    re.lastIndex = i
    const m = re.exec(text)
    if (!m || m[0] === '') throw i
    i += m[0].length
  }
  const string = () => {
    expect('"')
    STRING_BODY.lastIndex = i
    STRING_BODY.exec(text)
    i = STRING_BODY.lastIndex
    expect('"')
  }
  const members = (close: string, member: () => void) => {
    i++
    skipSpace()
    if (text[i] === close) {
      i++
      return
    }
    for (;;) {
      skipSpace()
      member()
      skipSpace()
      if (text[i] !== ',') break
      i++
    }
    expect(close)
  }
  const value = (): void => {
    skipSpace()
    if (text[i] === '{') {
      members('}', () => {
        string()
        skipSpace()
        expect(':')
        value()
      })
    } else if (text[i] === '[') {
      members(']', value)
    } else if (text[i] === '"') {
      string()
    } else {
      matchAt(SCALAR)
    }
  }

  try {
    value()
    skipSpace()
    return i < text.length ? i : undefined
  } catch (err) {
    // A number is the offset thrown above; anything else (e.g. a stack overflow on absurd nesting) means "unknown".
    return typeof err === 'number' ? err : undefined
  }
}
