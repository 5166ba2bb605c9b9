// The bridge object of examples/bridge: what an agent of this swarm tells it
// is forwarded into another swarm, where it enters at that swarm's `gateway`
// node, so the other swarm's topology decides who hears it.
export default {
  interface: {
    forward: { input: 'any text', output: '"forwarded to <to> in <swarm>"' },
  },

  init(config) {
    if (typeof config.swarm !== 'string' || typeof config.to !== 'string') {
      throw new Error('config needs `swarm` (the other swarm) and `to` (a node there)')
    }
    // The config is kept in the state: handleMessage sees only the state.
    return { state: { swarm: config.swarm, to: config.to, forwarded: 0 } }
  },

  async handleMessage({ from, content }, state, ctx) {
    await ctx.sendToSwarm(state.swarm, state.to, `${from} (${ctx.swarm}) says: ${content}`)
    ctx.log.info(`forwarded a message from ${from} to ${state.to} in ${state.swarm}`)
    return { state: { ...state, forwarded: state.forwarded + 1 }, reply: `forwarded to ${state.to} in ${state.swarm}` }
  },
}
