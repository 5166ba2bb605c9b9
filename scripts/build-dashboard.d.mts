export const DASHBOARD_DIR: string
export function buildDashboard(outDir?: string): Promise<string>
