import http from 'node:http';
import { expect, openApp, test } from './fixtures';

/** The HTTP status a WebSocket upgrade request gets (101 when it is accepted). */
function upgradeStatus(port: number, pathAndQuery: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request({
      host: '127.0.0.1',
      port,
      path: pathAndQuery,
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', ...headers },
    });
    request.on('upgrade', (response, socket) => {
      socket.destroy();
      resolve(response.statusCode ?? 0);
    });
    request.on('response', (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', reject);
    request.end();
  });
}

test.describe('navigation security', () => {
  test('the page is served with a strict CSP and refuses an injected inline script', async ({ page, serveUrl, serve }) => {
    const response = await fetch(`http://127.0.0.1:${serve.port}/`);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-(inline|eval)'/);
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("form-action 'none'");
    expect(response.headers.get('x-frame-options')).toBe('DENY');

    await openApp(page, serveUrl);
    const outcome = await page.evaluate(async () => {
      const violations: string[] = [];
      document.addEventListener('securitypolicyviolation', (event) => violations.push(event.violatedDirective));
      const script = document.createElement('script');
      script.textContent = 'window.__injected = true;';
      document.body.appendChild(script);
      await new Promise((resolve) => setTimeout(resolve, 50));
      return { injected: (window as unknown as { __injected?: boolean }).__injected === true, violations };
    });
    expect(outcome.injected).toBe(false);
    expect(outcome.violations.some((directive) => directive.startsWith('script-src'))).toBe(true);
  });

  test('the engine socket refuses a page without the token and a foreign origin', async ({ serve }) => {
    expect(await upgradeStatus(serve.port, '/ws', {})).toBe(401);
    expect(await upgradeStatus(serve.port, `/ws?token=${serve.token}`, { origin: 'http://evil.example' })).toBe(403);
    expect(await upgradeStatus(serve.port, `/ws?token=${serve.token}`, { origin: `http://127.0.0.1:${serve.port}` })).toBe(101);
  });
});
