import { useEffect, useRef, useState } from 'react';
import { makeStyles } from '@fluentui/react-components';
import { toErrorInfo, type VmState } from '../../../core/contract';
import type { EngineApi } from '../engine/engine-context';
import { consoleUrl, hasScreen } from './use-console-socket';
import { appendTerminal, keyToBytes } from './terminal-text';

const useStyles = makeStyles({
  root: {
    flexGrow: 1,
    minHeight: 0,
    margin: 0,
    padding: '8px 10px',
    overflow: 'auto',
    backgroundColor: '#0c0c0c',
    color: '#cccccc',
    fontFamily: 'ui-monospace, "Cascadia Mono", "DejaVu Sans Mono", Consolas, monospace',
    fontSize: '13px',
    lineHeight: '1.35',
    whiteSpace: 'pre-wrap',
    overflowWrap: 'anywhere',
    outlineStyle: 'none',
    ':focus-visible': { boxShadow: 'inset 0 0 0 2px #4a9eff' },
  },
  note: { color: '#8a8a8a' },
});

const MAX_CHARS = 200_000;

/**
 * COM1 of the VM as a simple terminal (for guests without graphics): what the
 * guest prints, and what is typed here goes to the guest. Control sequences
 * are dropped, not drawn.
 */
export function SerialView({ engine, vmId, state }: { engine: EngineApi; vmId: string; state: VmState | undefined }) {
  const s = useStyles();
  const [text, setText] = useState('');
  const [note, setNote] = useState('Connecting to COM1…');
  const socket = useRef<WebSocket | null>(null);
  const pre = useRef<HTMLPreElement | null>(null);
  const live = hasScreen(state);

  useEffect(() => {
    if (!live) {
      setNote('The serial console connects when the virtual machine runs.');
      return;
    }
    let stopped = false;
    let retry: number | undefined;
    const connect = async () => {
      let url: string;
      try {
        url = await consoleUrl(engine, vmId, 'serial');
      } catch (err) {
        if (!stopped) setNote(toErrorInfo(err).message);
        retry = window.setTimeout(() => void connect(), 1500);
        return;
      }
      if (stopped) return;
      const ws = new WebSocket(url, ['binary']);
      ws.binaryType = 'arraybuffer';
      socket.current = ws;
      const decoder = new TextDecoder();
      ws.onopen = () => setNote('');
      ws.onmessage = (e: MessageEvent<ArrayBuffer | string>) => {
        const chunk = typeof e.data === 'string' ? e.data : decoder.decode(e.data, { stream: true });
        setText((t) => appendTerminal(t, chunk, MAX_CHARS));
      };
      ws.onclose = () => {
        if (socket.current === ws) socket.current = null;
        if (stopped) return;
        setNote('Reconnecting to COM1…');
        retry = window.setTimeout(() => void connect(), 1500);
      };
    };
    void connect();
    return () => {
      stopped = true;
      window.clearTimeout(retry);
      socket.current?.close();
      socket.current = null;
    };
  }, [live, engine, vmId]);

  useEffect(() => {
    const el = pre.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [text]);

  return (
    <pre
      ref={pre}
      className={s.root}
      tabIndex={0}
      role="log"
      aria-label="Serial console (COM1)"
      data-testid="serial-console"
      onKeyDown={(e) => {
        const bytes = keyToBytes(e.key, e.ctrlKey);
        if (bytes === null || !socket.current || socket.current.readyState !== WebSocket.OPEN) return;
        e.preventDefault();
        socket.current.send(bytes);
      }}
      onPaste={(e) => {
        const t = e.clipboardData.getData('text');
        if (t && socket.current?.readyState === WebSocket.OPEN) socket.current.send(t.replace(/\r?\n/g, '\r'));
        e.preventDefault();
      }}
    >
      {text}
      {note !== '' && <span className={s.note}>{`${text === '' ? '' : '\n'}[${note}]`}</span>}
    </pre>
  );
}
