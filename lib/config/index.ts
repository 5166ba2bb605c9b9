export * from './types.js'
export {
  validateConfig,
  validateAgentSpec,
  validateEdges,
  serializeAgentSpec,
  serializeConfig,
  summarizeConfig,
  type ValidationResult,
  type AgentValidationResult,
  type EdgesValidationResult,
  type ConfigSummary,
} from './validate.js'
export {
  loadConfigFile,
  loadConfigFileSync,
  parseConfigText,
  parseConfigData,
  parseFormat,
  formatForPath,
  resolveConfigPath,
  SUPPORTED_EXTENSIONS,
  type ConfigFormat,
} from './load.js'
