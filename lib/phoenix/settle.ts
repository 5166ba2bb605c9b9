/**
 * Runs a channel callback that may answer at once or with a promise. A sync
 * answer is handled before settle returns, so a sync channel costs no extra
 * tick; errors, thrown or rejected, go to onError. The promise returned for an
 * async answer never rejects.
 */
export function settle<T>(
  run: () => T | Promise<T>,
  onValue: (value: T) => void,
  onError: (err: unknown) => void,
  onFailure: (err: unknown) => void,
): Promise<void> | undefined {
  let result: T | Promise<T>
  try {
    result = run()
  } catch (err) {
    onError(err)
    return undefined
  }
  if (!isThenable(result)) {
    onValue(result)
    return undefined
  }
  return Promise.resolve(result).then(onValue, onError).catch(onFailure)
}

function isThenable<T>(value: T | Promise<T>): value is Promise<T> {
  return value !== null && typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function'
}
