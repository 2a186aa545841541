// dt-sql-parser 4.5.1 ships ES modules whose relative imports name folders and files without extensions, which
// Node's ESM loader refuses: resolve those the way its TypeScript build meant (folder → index.js, file → .js).
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export async function resolve(specifier, context, next) {
  if ((specifier.startsWith('./') || specifier.startsWith('../')) && context.parentURL?.includes('/dt-sql-parser/')) {
    const url = new URL(specifier, context.parentURL);
    const path = fileURLToPath(url);
    if (existsSync(path) && statSync(path).isDirectory()) return next(new URL('index.js', url.href + '/').href, context);
    if (!path.endsWith('.js') && existsSync(path + '.js')) return next(url.href + '.js', context);
  }
  return next(specifier, context);
}
