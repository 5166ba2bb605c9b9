import type { ObjectSpec, SwarmConfig } from '../config/types.js'
import { validateObjectSpec } from '../config/validate.js'
import { errors } from '../errors.js'
import { connectNode, nameList, nodeNames, withoutNode } from '../swarm/topology-edit.js'

/** The object mutations, pure functions of the config like the agent ones (lib/swarm/mutations.ts). */
export type ObjectMutation =
  | { op: 'add_object'; spec: unknown; connections?: unknown; incoming?: unknown }
  | { op: 'remove_object'; name: string }
  | { op: 'configure_object'; name: string; config: unknown }

export type RecordedObjectMutation =
  | { op: 'add_object'; spec: ObjectSpec; connections: string[]; incoming: string[] }
  | { op: 'remove_object'; name: string }
  | { op: 'configure_object'; name: string; config: Record<string, unknown> }

export const OBJECT_MUTATION_OPS = ['add_object', 'remove_object', 'configure_object'] as const

const isDict = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

export function applyObjectMutation(config: SwarmConfig, m: ObjectMutation): { config: SwarmConfig; recorded: RecordedObjectMutation } {
  switch (m.op) {
    case 'add_object':
      return addObject(config, m)
    case 'remove_object':
      return removeObject(config, m.name)
    case 'configure_object':
      return configureObject(config, m.name, m.config)
  }
}


function addObject(config: SwarmConfig, m: Extract<ObjectMutation, { op: 'add_object' }>) {
  const errs: string[] = []
  const validated = validateObjectSpec(m.spec, nodeNames(config))
  if (!validated.ok) errs.push(...validated.errors)
  const connections = nameList(m.connections, 'connections', errs)
  const incoming = nameList(m.incoming, 'incoming', errs)
  if (!validated.ok || errs.length) throw errors.invalidMutation(errs)
  const spec = validated.spec
  if (spec.handler === undefined) throw errors.invalidMutation(['object.handler: required for an object added at runtime'])
  const topology = connectNode(config, spec.name, connections, incoming)
  return {
    config: { ...config, objects: [...config.objects, spec], topology },
    recorded: { op: 'add_object' as const, spec, connections, incoming },
  }
}

function removeObject(config: SwarmConfig, name: unknown) {
  if (typeof name !== 'string' || !config.objects.some((o) => o.name === name)) {
    throw errors.invalidMutation([`name: no object named ${JSON.stringify(name)} in swarm "${config.name}"`], 404)
  }
  return {
    config: {
      ...config,
      objects: config.objects.filter((o) => o.name !== name),
      topology: withoutNode(config.topology, name),
    },
    recorded: { op: 'remove_object' as const, name },
  }
}

/** Shallow merge: keys in the patch replace the object's own; recording the patch makes a replay land on the same config. */
function configureObject(config: SwarmConfig, name: unknown, patch: unknown) {
  const current = typeof name === 'string' ? config.objects.find((o) => o.name === name) : undefined
  if (!current) throw errors.invalidMutation([`name: no object named ${JSON.stringify(name)} in swarm "${config.name}"`], 404)
  if (!isDict(patch)) throw errors.invalidMutation(['config: must be an object'])
  const merged = { ...current, config: { ...current.config, ...patch } }
  return {
    config: { ...config, objects: config.objects.map((o) => (o.name === current.name ? merged : o)) },
    recorded: { op: 'configure_object' as const, name: current.name, config: patch },
  }
}
