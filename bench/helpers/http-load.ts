/**
 * A keep-alive HTTP load client in its own process, so the server under test
 * has a core to itself: told (over IPC) a URL, a concurrency and a duration,
 * it keeps that many GETs in flight and answers with the completed count.
 */
import { Agent, request } from 'node:http'

export interface LoadRequest {
  url: string
  concurrency: number
  ms: number
}

export interface LoadReport {
  requests: number
  errors: number
  ms: number
}

export function load({ url, concurrency, ms }: LoadRequest): Promise<LoadReport> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency })
  const target = new URL(url)
  let requests = 0
  let errors = 0
  const started = performance.now()
  const deadline = started + ms
  const one = (): Promise<void> => new Promise((resolve) => {
    const req = request({ host: target.hostname, port: target.port, path: target.pathname, agent }, (res) => {
      res.resume()
      res.on('end', () => {
        if (res.statusCode === 200) requests++
        else errors++
        resolve()
      })
    })
    req.on('error', () => { errors++; resolve() })
    req.end()
  })
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) await one()
  }
  return Promise.all(Array.from({ length: concurrency }, worker)).then(() => {
    agent.destroy()
    return { requests, errors, ms: performance.now() - started }
  })
}

if (process.send) {
  process.on('message', (msg: LoadRequest | 'exit') => {
    if (msg === 'exit') process.exit(0)
    void load(msg).then((report) => process.send!(report))
  })
}
