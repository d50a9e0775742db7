import { useEffect, useRef, useState } from 'react';
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  Menu,
  MenuDivider,
  MenuItem,
  MenuItemCheckbox,
  MenuList,
  MenuPopover,
  MenuTrigger,
  Textarea,
  Toolbar,
  ToolbarButton,
  ToolbarDivider,
  Tooltip,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { statusText, toErrorInfo, type MediaDrive, type VmAction, type VmSummary } from '../../../core/contract';
import { ActionIcon } from '../actions/action-icons';
import { requestVmAction } from '../actions/run-action';
import { actionLabel, actionsFor } from '../actions/vm-actions';
import { DialogHost } from '../dialogs/DialogHost';
import type { EngineApi } from '../engine/engine-context';
import { SnapshotDialogs } from '../snapshots/SnapshotDialogs';
import { requestRevert, takeSnapshot } from '../snapshots/snapshot-ui';
import { useConsole, useConnection } from '../state/app-stores';
import { showError } from '../state/ui-store';
import { ErrorBar } from '../ui/ErrorBar';
import { StateBadge } from '../ui/StateBadge';
import { SerialView } from './SerialView';
import { useVnc, type ScreenStatus } from './use-console-socket';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', height: '100vh', backgroundColor: tokens.colorNeutralBackground3, color: tokens.colorNeutralForeground1, fontFamily: tokens.fontFamilyBase },
  menubar: { display: 'flex', gap: '2px', padding: '2px 4px', backgroundColor: tokens.colorNeutralBackground2, borderBottom: `1px solid ${tokens.colorNeutralStroke2}`, flexShrink: 0 },
  toolbar: { flexShrink: 0, backgroundColor: tokens.colorNeutralBackground1, borderBottom: `1px solid ${tokens.colorNeutralStroke2}`, padding: '0 4px' },
  screen: { flexGrow: 1, minHeight: 0, position: 'relative', backgroundColor: '#000', display: 'flex', flexDirection: 'column' },
  vnc: { position: 'absolute', inset: 0, overflow: 'hidden' },
  message: {
    position: 'absolute',
    inset: 0,
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'center',
    justifyContent: 'center',
    gap: '12px',
    color: '#c8d1da',
    fontSize: tokens.fontSizeBase300,
    textAlign: 'center',
    padding: '24px',
  },
  status: {
    display: 'flex',
    alignItems: 'center',
    gap: '16px',
    minHeight: '26px',
    padding: '0 10px',
    fontSize: tokens.fontSizeBase200,
    backgroundColor: tokens.colorNeutralBackground2,
    borderTop: `1px solid ${tokens.colorNeutralStroke2}`,
    color: tokens.colorNeutralForeground2,
    flexShrink: 0,
  },
  grow: { flexGrow: 1 },
  form: { display: 'flex', flexDirection: 'column', gap: '12px' },
});

type PageDialog = { kind: 'media'; drive: MediaDrive } | { kind: 'type' } | null;

const TOOL_ACTIONS: readonly VmAction[] = ['start', 'turnOff', 'shutDown', 'save', 'pause', 'resume', 'reset', 'snapshot', 'revert'];

function statusRight(status: ScreenStatus): string {
  switch (status.kind) {
    case 'connected':
      return `${status.width} × ${status.height} · Connected`;
    case 'connecting':
      return 'Connecting…';
    case 'failed':
      return status.text;
    default:
      return 'Not connected';
  }
}

/**
 * Hyper-V's VM Connection: the guest's screen (noVNC) or its serial console,
 * the VM's actions, Media and Clipboard menus, full screen, and a status bar.
 */
export function VmConnectionPage({ engine, vmId }: { engine: EngineApi; vmId: string }) {
  const s = useStyles();
  const vm = useConsole((st) => st.vms.get(vmId));
  const loaded = useConsole((st) => st.loaded);
  const conn = useConnection((st) => st.status);
  const [scale, setScale] = useState(true);
  const [serial, setSerial] = useState(false);
  const [dialog, setDialog] = useState<PageDialog>(null);
  const screenRef = useRef<HTMLDivElement | null>(null);
  const [vncBox, setVncBox] = useState<HTMLDivElement | null>(null);
  const state = vm?.status.state;
  const { status, handle } = useVnc(engine, vmId, state, vncBox, !serial, scale);
  const allowed = vm ? actionsFor([vm.status.state]) : [];

  useEffect(() => {
    document.title = vm ? `${vm.name} on ${location.hostname || 'this host'} - Virtual Machine Connection` : 'Virtual Machine Connection';
  }, [vm]);

  // Crisp pixels when the screen is enlarged (HiDPI or a big window); smooth when shrunk.
  useEffect(() => {
    if (vncBox === null) return;
    const fit = () => {
      const canvas = vncBox.querySelector('canvas');
      if (!canvas || canvas.width === 0) return;
      const factor = (canvas.getBoundingClientRect().width * window.devicePixelRatio) / canvas.width;
      canvas.style.imageRendering = factor >= 1 ? 'pixelated' : 'auto';
    };
    const ro = new ResizeObserver(fit);
    ro.observe(vncBox);
    const mo = new MutationObserver(fit);
    mo.observe(vncBox, { subtree: true, attributes: true, attributeFilter: ['style', 'width'] });
    return () => {
      ro.disconnect();
      mo.disconnect();
    };
  }, [vncBox]);

  const act = (a: VmAction) => {
    if (!vm) return;
    if (a === 'snapshot') void takeSnapshot(engine, vm);
    else if (a === 'revert') void requestRevert(engine, vm);
    else requestVmAction(engine, a, [vm]);
  };
  const ctrlAltDel = () => {
    if (handle.rfb) handle.rfb.sendCtrlAltDel();
    else if (vm) engine.call('console.sendKeys', { vm: vm.id, keys: 'ctrl-alt-delete' }).catch((err: unknown) => showError(toErrorInfo(err), 'Ctrl+Alt+Delete'));
  };
  const fullScreen = () => void screenRef.current?.requestFullscreen?.().catch(() => undefined);
  const eject = (drive: MediaDrive) => {
    if (vm) engine.call('console.media', { vm: vm.id, drive, path: null }).catch((err: unknown) => showError(toErrorInfo(err), `Eject the ${drive === 'dvd' ? 'DVD' : 'diskette'}`));
  };
  const live = state !== undefined && !['Off', 'Saved', 'Critical', 'Starting'].includes(state);

  if (!loaded) return <div className={s.root}><div className={s.message}>{conn.state === 'connected' ? 'Loading…' : 'Connecting to the engine…'}</div></div>;

  return (
    <div className={s.root} data-testid="vm-connection">
      <nav className={s.menubar} aria-label="VM Connection menu">
        <Menu>
          <MenuTrigger disableButtonEnhancement>
            <Button size="small" appearance="subtle">File</Button>
          </MenuTrigger>
          <MenuPopover>
            <MenuList>
              <MenuItem disabled={!vm} onClick={() => vm && requestVmAction(engine, 'settings', [vm])}>Settings…</MenuItem>
              <MenuDivider />
              <MenuItem onClick={() => window.close()}>Exit</MenuItem>
            </MenuList>
          </MenuPopover>
        </Menu>
        <Menu>
          <MenuTrigger disableButtonEnhancement>
            <Button size="small" appearance="subtle">Action</Button>
          </MenuTrigger>
          <MenuPopover>
            <MenuList>
              <MenuItem disabled={!live} onClick={ctrlAltDel}>Ctrl+Alt+Delete</MenuItem>
              <MenuDivider />
              {TOOL_ACTIONS.map((a) => (
                <MenuItem key={a} icon={<ActionIcon action={a} />} disabled={!allowed.includes(a)} onClick={() => act(a)}>
                  {actionLabel(a)}
                </MenuItem>
              ))}
            </MenuList>
          </MenuPopover>
        </Menu>
        <Menu>
          <MenuTrigger disableButtonEnhancement>
            <Button size="small" appearance="subtle">Media</Button>
          </MenuTrigger>
          <MenuPopover>
            <MenuList>
              <MediaItems vm={vm} onInsert={(drive) => setDialog({ kind: 'media', drive })} onEject={eject} />
            </MenuList>
          </MenuPopover>
        </Menu>
        <Menu>
          <MenuTrigger disableButtonEnhancement>
            <Button size="small" appearance="subtle">Clipboard</Button>
          </MenuTrigger>
          <MenuPopover>
            <MenuList>
              <MenuItem disabled={!live} onClick={() => setDialog({ kind: 'type' })}>Type clipboard text</MenuItem>
            </MenuList>
          </MenuPopover>
        </Menu>
        <Menu
          checkedValues={{ view: [...(scale ? ['scale'] : []), ...(serial ? ['serial'] : [])] }}
          onCheckedValueChange={(_, d) => {
            setScale(d.checkedItems.includes('scale'));
            setSerial(d.checkedItems.includes('serial'));
          }}
        >
          <MenuTrigger disableButtonEnhancement>
            <Button size="small" appearance="subtle">View</Button>
          </MenuTrigger>
          <MenuPopover>
            <MenuList>
              <MenuItem onClick={fullScreen}>Full Screen Mode</MenuItem>
              <MenuItemCheckbox name="view" value="scale">Scale to window</MenuItemCheckbox>
              <MenuItemCheckbox name="view" value="serial">Serial console (COM1)</MenuItemCheckbox>
            </MenuList>
          </MenuPopover>
        </Menu>
      </nav>
      <Toolbar className={s.toolbar} size="small" aria-label="Virtual machine actions">
        <Tooltip content="Send Ctrl+Alt+Delete to the virtual machine" relationship="description">
          <ToolbarButton disabled={!live} onClick={ctrlAltDel} data-testid="vmc-ctrl-alt-del">
            Ctrl+Alt+Del
          </ToolbarButton>
        </Tooltip>
        <ToolbarDivider />
        {TOOL_ACTIONS.map((a) => (
          <Tooltip key={a} content={actionLabel(a)} relationship="label">
            <ToolbarButton icon={<ActionIcon action={a} />} disabled={!allowed.includes(a)} onClick={() => act(a)} data-testid={`vmc-${a}`} />
          </Tooltip>
        ))}
      </Toolbar>
      <ErrorBar />
      <div className={s.screen} ref={screenRef}>
        {serial ? (
          <SerialView engine={engine} vmId={vmId} state={state} />
        ) : (
          <>
            <div className={s.vnc} ref={setVncBox} data-testid="vnc-screen" data-status={status.kind} />
            {status.kind !== 'connected' && (
              <div className={s.message} role="status">
                <span>{status.kind === 'waiting' ? status.text : status.kind === 'failed' ? status.text : 'Connecting to the virtual machine…'}</span>
                {vm && (state === 'Off' || state === 'Saved') && (
                  <Button appearance="primary" icon={<ActionIcon action="start" />} onClick={() => act('start')}>
                    Start
                  </Button>
                )}
              </div>
            )}
          </>
        )}
      </div>
      <footer className={s.status} data-testid="vmc-status">
        <span>Status:</span>
        {vm ? <StateBadge state={vm.status.state} testId="vmc-state" /> : <span>Not found</span>}
        <span className={s.grow}>{vm ? statusText(vm) : ''}</span>
        <span>{serial ? 'Serial console (COM1)' : statusRight(status)}</span>
      </footer>
      {dialog?.kind === 'media' && vm && <MediaDialog engine={engine} vm={vm} drive={dialog.drive} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'type' && vm && <TypeTextDialog engine={engine} vm={vm} onClose={() => setDialog(null)} />}
      <DialogHost />
      <SnapshotDialogs engine={engine} />
    </div>
  );
}

function MediaItems({ vm, onInsert, onEject }: { vm: VmSummary | undefined; onInsert: (d: MediaDrive) => void; onEject: (d: MediaDrive) => void }) {
  const notes = vm === undefined;
  return (
    <>
      <MenuItem disabled={notes} onClick={() => onInsert('dvd')}>DVD Drive: Insert Disk…</MenuItem>
      <MenuItem disabled={notes} onClick={() => onEject('dvd')}>DVD Drive: Eject</MenuItem>
      <MenuDivider />
      <MenuItem disabled={notes} onClick={() => onInsert('floppy')}>Diskette Drive: Insert Disk…</MenuItem>
      <MenuItem disabled={notes} onClick={() => onEject('floppy')}>Diskette Drive: Eject</MenuItem>
    </>
  );
}

function MediaDialog({ engine, vm, drive, onClose }: { engine: EngineApi; vm: VmSummary; drive: MediaDrive; onClose: () => void }) {
  const s = useStyles();
  const [path, setPath] = useState('');
  const [error, setError] = useState<string | null>(null);
  const what = drive === 'dvd' ? 'an ISO image' : 'a diskette image (.vfd, .img)';
  const go = async () => {
    try {
      await engine.call('console.media', { vm: vm.id, drive, path: path.trim() });
      onClose();
    } catch (err) {
      setError(toErrorInfo(err).message);
    }
  };
  return (
    <Dialog open onOpenChange={(_, d) => !d.open && onClose()}>
      <DialogSurface style={{ maxWidth: 520 }} data-testid="media-dialog">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (path.trim() !== '') void go();
          }}
        >
          <DialogBody>
            <DialogTitle>{drive === 'dvd' ? 'Insert DVD' : 'Insert Diskette'}</DialogTitle>
            <DialogContent className={s.form}>
              <Field label={`Path of ${what} on the host`} {...(error !== null ? { validationMessage: error, validationState: 'error' as const } : {})}>
                <Input value={path} autoFocus onChange={(_, d) => setPath(d.value)} />
              </Field>
            </DialogContent>
            <DialogActions>
              <Button appearance="primary" type="submit" disabled={path.trim() === ''}>
                Insert
              </Button>
              <Button onClick={onClose}>Cancel</Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}

function TypeTextDialog({ engine, vm, onClose }: { engine: EngineApi; vm: VmSummary; onClose: () => void }) {
  const s = useStyles();
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    // Where the page may read the clipboard, start from it; otherwise paste here.
    navigator.clipboard?.readText?.().then((t) => setText((cur) => (cur === '' ? t.slice(0, 4096) : cur))).catch(() => undefined);
  }, []);
  const go = async () => {
    try {
      await engine.call('console.typeText', { vm: vm.id, text });
      onClose();
    } catch (err) {
      setError(toErrorInfo(err).message);
    }
  };
  return (
    <Dialog open onOpenChange={(_, d) => !d.open && onClose()}>
      <DialogSurface style={{ maxWidth: 560 }} data-testid="type-text-dialog">
        <DialogBody>
          <DialogTitle>Type Clipboard Text</DialogTitle>
          <DialogContent className={s.form}>
            <Field label="Text to type into the virtual machine (US keyboard layout)" {...(error !== null ? { validationMessage: error, validationState: 'error' as const } : {})}>
              <Textarea value={text} rows={6} maxLength={4096} onChange={(_, d) => setText(d.value)} resize="vertical" />
            </Field>
          </DialogContent>
          <DialogActions>
            <Button appearance="primary" disabled={text === ''} onClick={() => void go()}>
              Type
            </Button>
            <Button onClick={onClose}>Cancel</Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
