export interface FileSystem {
  readFileSync(path: string): string;
}

// Planted: `any` that `unknown` replaces safely.
export function describe(value: any): string {
  return `value: ${String(value)}`;
}

// Planted: nobody imports this, and it reads a file synchronously.
export function readTemplate(fs: FileSystem, path: string): string {
  return fs.readFileSync(path);
}
