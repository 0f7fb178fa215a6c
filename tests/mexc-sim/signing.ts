import { createHmac, timingSafeEqual } from 'node:crypto';

/** MEXC signs with HMAC-SHA256, lowercase hex. */
export function hmacSha256Hex(secret: string, text: string): string {
  return createHmac('sha256', secret).update(text).digest('hex');
}

/**
 * The parameter string MEXC's contract API signs: for POST the JSON body exactly as sent; for
 * GET/DELETE the query parameters sorted by name and joined as `k=v&k=v` (values as sent,
 * URL-encoded). Signature = HMAC-SHA256(secret, accessKey + Request-Time + paramString).
 */
export function contractParamString(method: string, rawQuery: string, body: string): string {
  if (method === 'POST') return body;
  if (rawQuery === '') return '';
  const pairs = rawQuery.split('&').filter((p) => p !== '');
  const keyOf = (pair: string): string => decodeURIComponent(pair.split('=')[0] ?? '');
  return [...pairs].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0)).join('&');
}

export function contractSignature(secret: string, apiKey: string, requestTime: string, paramString: string): string {
  return hmacSha256Hex(secret, apiKey + requestTime + paramString);
}

export function sameHex(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
