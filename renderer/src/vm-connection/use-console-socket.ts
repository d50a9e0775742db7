import { useEffect, useRef, useState } from 'react';
import RFB from '@novnc/novnc';
import { PROCESS_STATES, toErrorInfo, type ConsoleKind, type VmState } from '../../../core/contract';
import type { EngineApi } from '../engine/engine-context';
import { consoleSocketUrl } from './route';

export type ScreenStatus =
  | { kind: 'waiting'; text: string }
  | { kind: 'connecting' }
  | { kind: 'connected'; width: number; height: number }
  | { kind: 'failed'; text: string };

const RETRY_MS = 1500;

/** Whether QEMU (and so its VNC and serial sockets) exists in this state. */
export function hasScreen(state: VmState | undefined): boolean {
  return state !== undefined && PROCESS_STATES.includes(state) && state !== 'Starting';
}

/** A fresh ticket's WebSocket URL for this page. */
export async function consoleUrl(engine: EngineApi, vmId: string, kind: ConsoleKind): Promise<string> {
  const ticket = await engine.call('console.open', { vm: vmId, kind });
  return consoleSocketUrl(ticket, location);
}

function waitingText(state: VmState | undefined): string {
  switch (state) {
    case undefined:
      return 'The virtual machine is not on this host (any more).';
    case 'Off':
      return 'The virtual machine is turned off. Start it to see its screen.';
    case 'Saved':
      return 'The virtual machine is saved. Start it to resume; this window reconnects by itself.';
    case 'Starting':
      return 'Starting…';
    case 'Critical':
      return 'The virtual machine has stopped unexpectedly.';
    default:
      return `The virtual machine is ${state.toLowerCase()}.`;
  }
}

export interface VncHandle {
  rfb: RFB | null;
}

/**
 * Keeps a noVNC session on `target` while the VM has a screen: connects with a
 * one-time ticket, reconnects after Save/Start or a dropped socket, and says
 * why there is no picture otherwise.
 */
export function useVnc(engine: EngineApi, vmId: string, state: VmState | undefined, target: HTMLElement | null, enabled: boolean, scale: boolean) {
  const [status, setStatus] = useState<ScreenStatus>({ kind: 'waiting', text: waitingText(state) });
  const handle = useRef<VncHandle>({ rfb: null });
  const live = hasScreen(state) && enabled;

  useEffect(() => {
    if (!live || target === null) {
      setStatus({ kind: 'waiting', text: enabled ? waitingText(state) : '' });
      return;
    }
    let stopped = false;
    let retry: number | undefined;
    const connect = async (): Promise<void> => {
      setStatus({ kind: 'connecting' });
      let url: string;
      try {
        url = await consoleUrl(engine, vmId, 'vnc');
      } catch (err) {
        if (stopped) return;
        setStatus({ kind: 'failed', text: toErrorInfo(err).message });
        retry = window.setTimeout(() => void connect(), RETRY_MS);
        return;
      }
      if (stopped) return;
      const rfb = new RFB(target, url, { shared: true, wsProtocols: ['binary'] });
      rfb.scaleViewport = scale;
      rfb.resizeSession = false;
      rfb.background = '#000';
      rfb.focusOnClick = true;
      handle.current.rfb = rfb;
      rfb.addEventListener('connect', () => {
        const canvas = target.querySelector('canvas');
        setStatus({ kind: 'connected', width: canvas?.width ?? 0, height: canvas?.height ?? 0 });
        rfb.focus();
      });
      rfb.addEventListener('disconnect', () => {
        if (handle.current.rfb === rfb) handle.current.rfb = null;
        if (stopped) return;
        // QEMU went away (Save, Turn Off, crash) or the socket dropped: try again while the VM should have a screen.
        setStatus({ kind: 'connecting' });
        retry = window.setTimeout(() => void connect(), RETRY_MS);
      });
    };
    void connect();
    return () => {
      stopped = true;
      window.clearTimeout(retry);
      handle.current.rfb?.disconnect();
      handle.current.rfb = null;
    };
    // A new state with a screen (e.g. Paused → Running) keeps the session; only losing or regaining it reconnects.
  }, [live, target, vmId, engine]);

  useEffect(() => {
    if (handle.current.rfb) handle.current.rfb.scaleViewport = scale;
  }, [scale, status.kind]);

  // Keep the message in step with the state while there is no session.
  useEffect(() => {
    if (!live && enabled) setStatus({ kind: 'waiting', text: waitingText(state) });
  }, [state, live, enabled]);

  // Framebuffer size changes (guest mode switch) show in the status bar.
  useEffect(() => {
    if (status.kind !== 'connected' || target === null) return;
    const canvas = target.querySelector('canvas');
    if (!canvas) return;
    const obs = new MutationObserver(() => setStatus({ kind: 'connected', width: canvas.width, height: canvas.height }));
    obs.observe(canvas, { attributes: true, attributeFilter: ['width', 'height'] });
    return () => obs.disconnect();
  }, [status.kind, target]);

  return { status, handle: handle.current };
}
