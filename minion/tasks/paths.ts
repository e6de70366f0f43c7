import path from 'node:path';

/**
 * A node path under the minion's root. Every path a state names is taken
 * relative to the root, and `..` cannot climb out of it.
 */
export function underRoot(root: string, nodePath: string): string {
  if (!path.isAbsolute(nodePath)) throw new Error(`path must be absolute: ${nodePath}`);
  const resolved = path.resolve(root, `.${path.posix.normalize(nodePath)}`);
  const base = path.resolve(root);
  // On a real node the root is "/": every absolute path is under it (base + sep would be "//").
  const prefix = base.endsWith(path.sep) ? base : base + path.sep;
  if (resolved !== base && !resolved.startsWith(prefix)) throw new Error(`path escapes the root: ${nodePath}`);
  return resolved;
}
