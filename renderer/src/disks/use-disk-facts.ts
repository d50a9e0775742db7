import { useEffect, useState } from 'react';
import { toErrorInfo, type DiskInfo, type DiskSpace, type ErrorInfo } from '../../../core/contract';
import { useEngine } from '../engine/engine-context';
import { isAbsolutePath } from './disk-model';

/** disk.inspect of a path as the user types it (debounced); null until there is a full path. */
export function useInspect(path: string): { info: DiskInfo | null; error: ErrorInfo | null; loading: boolean } {
  const engine = useEngine();
  const [state, setState] = useState<{ info: DiskInfo | null; error: ErrorInfo | null; loading: boolean }>({ info: null, error: null, loading: false });
  useEffect(() => {
    const p = path.trim();
    if (!isAbsolutePath(p)) {
      setState({ info: null, error: null, loading: false });
      return;
    }
    let stale = false;
    setState((s) => ({ ...s, loading: true }));
    const t = setTimeout(() => {
      engine.call('disk.inspect', { path: p }).then(
        (info) => !stale && setState({ info, error: null, loading: false }),
        (err: unknown) => !stale && setState({ info: null, error: toErrorInfo(err), loading: false }),
      );
    }, 250);
    return () => {
      stale = true;
      clearTimeout(t);
    };
  }, [engine, path]);
  return state;
}

/** Free space where a file would go (disk.space), debounced. */
export function useSpace(path: string): { space: DiskSpace | null; error: ErrorInfo | null } {
  const engine = useEngine();
  const [state, setState] = useState<{ space: DiskSpace | null; error: ErrorInfo | null }>({ space: null, error: null });
  useEffect(() => {
    const p = path.trim();
    if (!isAbsolutePath(p)) {
      setState({ space: null, error: null });
      return;
    }
    let stale = false;
    const t = setTimeout(() => {
      engine.call('disk.space', { path: p }).then(
        (space) => !stale && setState({ space, error: null }),
        (err: unknown) => !stale && setState({ space: null, error: toErrorInfo(err) }),
      );
    }, 250);
    return () => {
      stale = true;
      clearTimeout(t);
    };
  }, [engine, path]);
  return state;
}
