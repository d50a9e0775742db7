import { useEffect, useState } from 'react';
import { toErrorInfo, type DiskInfo, type DiskSpace, type ErrorInfo } from '../../../core/contract';
import { useEngine, type EngineApi } from '../engine/engine-context';
import { isAbsolutePath } from './disk-model';

interface Looked<T> {
  value: T | null;
  error: ErrorInfo | null;
  loading: boolean;
}

/** One engine lookup of a path as the user types it: debounced, nothing until the path is absolute, late answers dropped. */
function useDebouncedLookup<T>(path: string, lookup: (engine: EngineApi, path: string) => Promise<T>): Looked<T> {
  const engine = useEngine();
  const [state, setState] = useState<Looked<T>>({ value: null, error: null, loading: false });
  useEffect(() => {
    const p = path.trim();
    if (!isAbsolutePath(p)) {
      setState({ value: null, error: null, loading: false });
      return;
    }
    let stale = false;
    setState((s) => ({ ...s, loading: true }));
    const t = setTimeout(() => {
      lookup(engine, p).then(
        (value) => !stale && setState({ value, error: null, loading: false }),
        (err: unknown) => !stale && setState({ value: null, error: toErrorInfo(err), loading: false }),
      );
    }, 250);
    return () => {
      stale = true;
      clearTimeout(t);
    };
  }, [engine, path, lookup]);
  return state;
}

const inspect = (engine: EngineApi, path: string): Promise<DiskInfo> => engine.call('disk.inspect', { path });
const space = (engine: EngineApi, path: string): Promise<DiskSpace> => engine.call('disk.space', { path });

/** disk.inspect of a path as the user types it (debounced); null until there is a full path. */
export function useInspect(path: string): { info: DiskInfo | null; error: ErrorInfo | null; loading: boolean } {
  const { value, error, loading } = useDebouncedLookup(path, inspect);
  return { info: value, error, loading };
}

/** Free space where a file would go (disk.space), debounced. */
export function useSpace(path: string): { space: DiskSpace | null; error: ErrorInfo | null } {
  const { value, error } = useDebouncedLookup(path, space);
  return { space: value, error };
}
