import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contentTypeFor, resolveAppFile } from './app-files';

const root = resolve('/opt/viridian/renderer');

describe('resolveAppFile', () => {
  it('serves files inside the renderer folder', () => {
    expect(resolveAppFile(root, '/index.html')).toBe(join(root, 'index.html'));
    expect(resolveAppFile(root, '/')).toBe(join(root, 'index.html'));
    expect(resolveAppFile(root, '/assets/index-abc.js')).toBe(join(root, 'assets', 'index-abc.js'));
    expect(resolveAppFile(root, '/assets/a%20b.css')).toBe(join(root, 'assets', 'a b.css'));
  });

  it.each(['/../secret', '/assets/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/..%2fx', '/a%00b', '/..\\..\\x', '/%E0%A4%A'])('refuses %s', (p) => {
    expect(resolveAppFile(root, p)).toBeNull();
  });
});

describe('contentTypeFor', () => {
  it('gives module scripts a JavaScript type', () => {
    expect(contentTypeFor('a/index-x.js')).toBe('text/javascript; charset=utf-8');
    expect(contentTypeFor('index.HTML')).toBe('text/html; charset=utf-8');
    expect(contentTypeFor('blob.bin')).toBe('application/octet-stream');
  });
});
