import { useEffect, useRef, useState } from 'react';
import { makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import { Desktop48Regular } from '@fluentui/react-icons';
import type { VmSummary } from '../../../core/contract';
import type { EngineApi } from '../engine/engine-context';
import { openVmConnectionHere } from './route';
import { hasScreen } from './use-console-socket';

const REFRESH_MS = 2000;

const useStyles = makeStyles({
  thumb: {
    width: '160px',
    height: '120px',
    flexShrink: 0,
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'center',
    justifyContent: 'center',
    gap: '4px',
    padding: 0,
    borderRadius: tokens.borderRadiusMedium,
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    backgroundColor: tokens.colorNeutralBackground3,
    color: tokens.colorNeutralForeground3,
    overflow: 'hidden',
    font: 'inherit',
  },
  live: { backgroundColor: '#000', border: `1px solid ${tokens.colorNeutralStroke1}`, cursor: 'pointer' },
  img: { width: '100%', height: '100%', objectFit: 'contain', display: 'block' },
});

/**
 * The VM's screen in the details pane (screendump PNG), refreshed every 2 s
 * only while it is on screen and the page is visible. A click opens VM Connection.
 */
export function VmThumbnail({ engine, vm }: { engine: EngineApi; vm: VmSummary }) {
  const s = useStyles();
  const box = useRef<HTMLButtonElement | null>(null);
  const [src, setSrc] = useState<string | null>(null);
  const [visible, setVisible] = useState(true);
  const [pageVisible, setPageVisible] = useState(document.visibilityState === 'visible');
  const live = hasScreen(vm.status.state);

  useEffect(() => {
    const el = box.current;
    if (!el || typeof IntersectionObserver === 'undefined') return;
    const io = new IntersectionObserver((entries) => setVisible(entries.some((e) => e.isIntersecting)));
    io.observe(el);
    return () => io.disconnect();
  }, []);
  useEffect(() => {
    const on = () => setPageVisible(document.visibilityState === 'visible');
    document.addEventListener('visibilitychange', on);
    return () => document.removeEventListener('visibilitychange', on);
  }, []);

  useEffect(() => {
    if (!live) {
      setSrc(null);
      return;
    }
    if (!visible || !pageVisible) return;
    let stopped = false;
    let timer: number | undefined;
    const tick = async () => {
      try {
        const t = await engine.call('console.thumbnail', { vm: vm.id });
        if (!stopped) setSrc(t ? `data:image/png;base64,${t.png}` : null);
      } catch {
        /* the VM stopped; the next state change says so */
      }
      if (!stopped) timer = window.setTimeout(() => void tick(), REFRESH_MS);
    };
    void tick();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [engine, vm.id, live, visible, pageVisible]);

  return (
    <button
      ref={box}
      type="button"
      className={mergeClasses(s.thumb, live && s.live)}
      aria-label={live ? `Screen of ${vm.name}; open VM Connection` : `Screen of ${vm.name}: ${vm.status.state}`}
      data-testid="vm-thumbnail"
      disabled={!live}
      onClick={() => openVmConnectionHere(vm.id)}
    >
      {live && src !== null ? (
        <img className={s.img} src={src} alt="" />
      ) : (
        <>
          <Desktop48Regular aria-hidden="true" />
          <span>{live ? 'Connecting…' : vm.status.state}</span>
        </>
      )}
    </button>
  );
}
