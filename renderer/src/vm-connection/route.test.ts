import { describe, expect, it, vi } from 'vitest';
import { consoleSocketUrl, openVmConnection, vmConnectionTarget } from './route';

const ID = '0b8f4f52-6a57-4c39-9d4b-0d7f0d7bde11';

describe('VM Connection routes', () => {
  it('recognises the desktop window and the browser tab, nothing else', () => {
    expect(vmConnectionTarget(`viridian://app/index.html?view=vm-connection&vm=${ID}`)).toBe(ID);
    expect(vmConnectionTarget(`http://127.0.0.1:8080/#/connect/${ID}`)).toBe(ID);
    expect(vmConnectionTarget('http://127.0.0.1:8080/')).toBeNull();
    expect(vmConnectionTarget('http://127.0.0.1:8080/?view=vm-connection&vm=../../etc')).toBeNull();
    expect(vmConnectionTarget('http://127.0.0.1:8080/#/connect/nope')).toBeNull();
  });

  it('opens a window through the bridge, or a named tab carrying the token', () => {
    const bridge = { openVmConnection: vi.fn() };
    openVmConnection(ID, { bridge: bridge as never, origin: 'x', token: null, open: vi.fn() });
    expect(bridge.openVmConnection).toHaveBeenCalledWith(ID);
    const open = vi.fn();
    openVmConnection(ID, { bridge: null, origin: 'http://h:1', token: 'a b', open });
    expect(open).toHaveBeenCalledWith(`http://h:1/?token=a%20b#/connect/${ID}`, `viridian-vm-${ID}`);
  });

  it('uses the page host in a browser and the loopback endpoint in the app', () => {
    const t = { path: '/api/console/T', url: 'ws://127.0.0.1:9/api/console/T' };
    expect(consoleSocketUrl(t, { protocol: 'https:', host: 'h:443' })).toBe('wss://h:443/api/console/T');
    expect(consoleSocketUrl(t, { protocol: 'http:', host: '127.0.0.1:8080' })).toBe('ws://127.0.0.1:8080/api/console/T');
    expect(consoleSocketUrl(t, { protocol: 'viridian:', host: 'app' })).toBe('ws://127.0.0.1:9/api/console/T');
  });
});
