import cytoscape, { type Core } from 'cytoscape'

/** Node fill per agent state (objects are drawn as squares, coloured by their status). */
export const STATE_COLOURS: Record<string, string> = {
  idle: '#66bb6a',
  working: '#ffa726',
  initializing: '#90caf9',
  error: '#e53935',
  stopped: '#9e9e9e',
  unknown: '#cfd8dc',
  running: '#66bb6a',
}

export interface GraphNode {
  id: string
  kind: 'agent' | 'object'
  state: string
}

export interface GraphEdge {
  from: string
  to: string
}

const edgeId = (from: string, to: string) => `${from}->${to}`

/**
 * The swarm's topology in cytoscape. Each routed message flashes its edge
 * and sends a dot along it; every edge counts the messages it carried in its
 * `routed` data, which is also what a test (or a curious user) can read.
 */
export class TopologyGraph {
  readonly cy: Core

  constructor(container: HTMLElement) {
    this.cy = cytoscape({
      container,
      wheelSensitivity: 0.3,
      // A swarm of three would otherwise be blown up to fill the box.
      maxZoom: 1.3,
      minZoom: 0.05,
      style: [
        {
          selector: 'node',
          style: {
            label: 'data(id)', 'background-color': 'data(colour)', 'font-size': 11, 'text-valign': 'bottom', 'text-margin-y': 4,
            width: 30, height: 30, 'border-width': 1, 'border-color': '#555',
          },
        },
        { selector: 'node[kind = "object"]', style: { shape: 'round-rectangle' } },
        { selector: 'node.pulse', style: { width: 10, height: 10, label: '', 'background-color': '#2962ff', 'border-width': 0, events: 'no' } },
        {
          selector: 'edge',
          style: { width: 2, 'line-color': '#b0bec5', 'target-arrow-color': '#b0bec5', 'target-arrow-shape': 'triangle', 'curve-style': 'bezier' },
        },
        { selector: 'edge.flash', style: { width: 4, 'line-color': '#2962ff', 'target-arrow-color': '#2962ff' } },
      ],
    })
  }

  /** Replaces nodes and edges with the swarm's current ones, keeping counts and positions of what stays. */
  setTopology(nodes: GraphNode[], edges: GraphEdge[]): void {
    const cy = this.cy
    const wanted = new Set([...nodes.map((n) => n.id), ...edges.map((e) => edgeId(e.from, e.to))])
    cy.elements().filter((el) => !el.hasClass('pulse') && !wanted.has(el.id())).remove()
    let added = false
    for (const n of nodes) {
      const existing = cy.getElementById(n.id)
      if (existing.nonempty()) existing.data({ kind: n.kind, state: n.state, colour: colour(n.state) })
      else {
        cy.add({ group: 'nodes', data: { id: n.id, kind: n.kind, state: n.state, colour: colour(n.state) } })
        added = true
      }
    }
    for (const e of edges) {
      if (cy.getElementById(e.from).empty() || cy.getElementById(e.to).empty()) continue
      if (cy.getElementById(edgeId(e.from, e.to)).empty()) {
        cy.add({ group: 'edges', data: { id: edgeId(e.from, e.to), source: e.from, target: e.to, routed: 0 } })
        added = true
      }
    }
    if (added) {
      const layout = nodes.length <= 12 ? { name: 'circle', padding: 40 } : { name: 'cose', animate: false, padding: 30, nodeRepulsion: () => 8000, idealEdgeLength: () => 90 }
      cy.layout(layout as cytoscape.LayoutOptions).run()
    }
  }

  setState(node: string, state: string): void {
    const el = this.cy.getElementById(node)
    if (el.nonempty()) el.data({ state, colour: colour(state) })
  }

  /** One message along from → to: the edge's count goes up, it flashes, and a dot travels it. */
  routed(from: string, to: string): void {
    const edge = this.cy.getElementById(edgeId(from, to))
    if (edge.empty()) return
    edge.data('routed', (edge.data('routed') as number) + 1)
    edge.addClass('flash')
    setTimeout(() => edge.removeClass('flash'), 700)
    const source = this.cy.getElementById(from).position()
    const target = this.cy.getElementById(to).position()
    const pulse = this.cy.add({ group: 'nodes', classes: 'pulse', data: { id: `pulse-${Math.random().toString(36).slice(2)}` }, position: { ...source } })
    pulse.animate({ position: { ...target } }, { duration: 600, complete: () => pulse.remove() })
  }

  destroy(): void {
    this.cy.destroy()
  }
}

function colour(state: string): string {
  return STATE_COLOURS[state] ?? '#cfd8dc'
}
