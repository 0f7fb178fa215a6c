import fs from 'node:fs';
import path from 'node:path';

/**
 * The renderer build, served by both hosts: serve mode over HTTP and the Electron shell over its
 * `app://` protocol. Both resolve a request path here so they refuse the same traversal tricks.
 */

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
  '.wasm': 'application/wasm',
};

export function contentTypeFor(filePath: string): string {
  return CONTENT_TYPES[path.extname(filePath).toLowerCase()] ?? 'application/octet-stream';
}

export type StaticTarget =
  /** A file under the root (it may still not exist). */
  | { kind: 'file'; filePath: string; isIndex: boolean }
  /** The path tried to leave the root or was malformed: answer 404 without touching the disk. */
  | { kind: 'refused'; reason: string };

/**
 * Maps a URL pathname (still percent-encoded, as it arrived) to a file under rootDir.
 * Paths without an extension are client-side routes and get index.html; paths with one are
 * assets and must exist. Anything that decodes to `..`, a backslash, a NUL or an absolute path
 * is refused rather than normalised, because a normalised `/../x` could still be a probe.
 */
export function resolveStaticPath(rootDir: string, rawPathname: string): StaticTarget {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPathname);
  } catch {
    return { kind: 'refused', reason: 'malformed percent-encoding' };
  }
  if (decoded.includes('\0')) return { kind: 'refused', reason: 'NUL byte' };
  if (decoded.includes('\\')) return { kind: 'refused', reason: 'backslash' };
  const segments = decoded.split('/');
  if (segments.some((segment) => segment === '..' || segment === '.')) return { kind: 'refused', reason: 'dot segment' };
  if (segments.some((segment) => /^[a-zA-Z]:$/.test(segment))) return { kind: 'refused', reason: 'drive letter' };

  const root = path.resolve(rootDir);
  const relative = segments.filter((segment) => segment !== '').join('/');
  const isRoute = relative === '' || path.extname(relative) === '';
  if (isRoute) return { kind: 'file', filePath: path.join(root, 'index.html'), isIndex: true };

  const filePath = path.resolve(root, relative);
  if (!isInside(root, filePath)) return { kind: 'refused', reason: 'outside root' };
  return { kind: 'file', filePath, isIndex: path.basename(filePath) === 'index.html' };
}

/** Symlinks inside the build must not lead outside it either. */
export async function isRealPathInside(rootDir: string, filePath: string): Promise<boolean> {
  try {
    const [realRoot, realFile] = await Promise.all([realpath(rootDir), realpath(filePath)]);
    return isInside(realRoot, realFile);
  } catch {
    return false;
  }
}

// fs.realpath looked up at call time: Electron patches it to see inside app.asar
const realpath = (target: string): Promise<string> =>
  new Promise((resolve, reject) => fs.realpath(target, (error, resolved) => (error ? reject(error) : resolve(resolved))));

function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

export interface CspOptions {
  /** Extra connect-src sources beyond 'self' (serve mode adds its loopback WebSocket). */
  connectSources?: readonly string[];
}

/**
 * The one Content-Security-Policy both hosts send with the renderer. style-src needs
 * 'unsafe-inline': lightweight-charts injects a <style> element (its attribution logo) and
 * React's style props are fine under CSSOM but some libraries set style attributes directly.
 */
export function contentSecurityPolicy(options: CspOptions = {}): string {
  const connect = ["'self'", ...(options.connectSources ?? [])].join(' ');
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    `connect-src ${connect}`,
    "img-src 'self' data:",
    "font-src 'self' data:",
    "media-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
