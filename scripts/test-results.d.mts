export function testFiles(root: string): string[]
export function missingResults(root: string, files: string[], sinceMs: number): string[]
