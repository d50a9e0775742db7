import { useEffect, useState } from 'react';
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { ArrowSync16Regular, Delete16Regular } from '@fluentui/react-icons';
import { ACTIONS_BY_STATE, toErrorInfo, type VmAction, type VmSummary } from '../../../core/contract';
import type { RemoteHost } from '../../../core/contract/protocol-migration';
import { actionVerb } from '../actions/vm-actions';
import { useEngine, type EngineApi } from '../engine/engine-context';
import { openDialog, showError } from '../state/ui-store';
import { PaneHeader } from '../ui/PaneHeader';
import { StateBadge } from '../ui/StateBadge';
import { cpuText, memoryText, reasonText, statusText, uptimeText } from '../ui/format';
import { VmContextMenu, type MenuPoint } from '../ui/vm-list/VmContextMenu';
import { hostLabel, hostsStore, selectHost, useHosts } from './hosts-store';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', flexGrow: 1, minHeight: 0, backgroundColor: tokens.colorNeutralBackground1 },
  body: { flexGrow: 1, minHeight: 0, overflow: 'auto', padding: '8px 12px', display: 'flex', flexDirection: 'column', gap: '10px' },
  facts: { color: tokens.colorNeutralForeground3, fontSize: tokens.fontSizeBase200 },
  row: { cursor: 'default', userSelect: 'none' },
  selected: { backgroundColor: tokens.colorNeutralBackground1Selected },
  empty: { color: tokens.colorNeutralForeground3, padding: '12px 0' },
  buttons: { display: 'flex', gap: '8px' },
});

/** What the console offers on a remote VM (through the engine's relay). */
const REMOTE_ACTIONS: readonly VmAction[] = ['start', 'turnOff', 'shutDown', 'save', 'pause', 'resume', 'reset', 'deleteSavedState', 'migrate'];
const ASK_FIRST: ReadonlySet<VmAction> = new Set<VmAction>(['turnOff', 'shutDown', 'deleteSavedState']);

export function remoteActionsFor(vm: VmSummary): VmAction[] {
  return ACTIONS_BY_STATE[vm.status.state].filter((a) => REMOTE_ACTIONS.includes(a));
}

export function runRemoteAction(engine: Pick<EngineApi, 'call'>, host: RemoteHost, vm: VmSummary, action: VmAction): void {
  if (action === 'migrate') {
    openDialog({ kind: 'migrate', vmId: vm.id, hostId: host.id });
    return;
  }
  engine
    .call('hosts.call', { host: host.id, method: 'vm.action', params: { vm: vm.id, action } })
    .catch((err: unknown) => showError(toErrorInfo(err), `${actionVerb(action)} “${vm.name}” on ${hostLabel(host)}`));
}

function retryText(h: RemoteHost, now: number): string {
  if (h.connection === 'connecting') return 'Connecting…';
  if (h.retryAt === null) return 'Reconnecting by itself.';
  const sec = Math.max(0, Math.round((Date.parse(h.retryAt) - now) / 1000));
  return sec === 0 ? 'Reconnecting…' : `Reconnecting by itself in ${sec} s.`;
}

/** The centre pane for a remote server: its state, its VMs with live state, their actions. */
export function RemoteHostPane({ hostId }: { hostId: string }) {
  const s = useStyles();
  const engine = useEngine();
  const host = useHosts((st) => st.hosts.get(hostId));
  const selectedVmId = useHosts((st) => st.selectedVmId);
  const [menu, setMenu] = useState<{ point: MenuPoint; vm: VmSummary } | null>(null);
  const [confirm, setConfirm] = useState<{ vm: VmSummary; action: VmAction } | null>(null);
  const [removing, setRemoving] = useState(false);
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  if (host === undefined) return null;
  const away = host.connection !== 'connected';
  const vms = [...host.vms].sort((a, b) => a.name.localeCompare(b.name));
  const act = (vm: VmSummary, action: VmAction) => (ASK_FIRST.has(action) ? setConfirm({ vm, action }) : runRemoteAction(engine, host, vm, action));

  return (
    <section className={s.root} aria-labelledby="remote-vms-title" data-testid="remote-host-pane" data-connection={host.connection}>
      <PaneHeader title={`Virtual Machines on ${host.info?.hostname ?? host.address}`} id="remote-vms-title" />
      <div className={s.body}>
        {away ? (
          <MessageBar intent={host.connection === 'connecting' ? 'info' : 'warning'} layout="multiline" data-testid="remote-host-status">
            <MessageBarBody>
              <MessageBarTitle>{host.connection === 'connecting' ? `Connecting to ${host.address}` : `Disconnected from ${host.address}`}</MessageBarTitle>
              {host.error ? `${host.error.message} ` : ''}
              {retryText(host, now)} The list shows the last known state.
            </MessageBarBody>
            <MessageBarActions>
              <Button size="small" icon={<ArrowSync16Regular />} onClick={() => void engine.call('hosts.reconnect', { host: host.id }).catch(() => undefined)}>
                Reconnect now
              </Button>
            </MessageBarActions>
          </MessageBar>
        ) : (
          <div className={s.facts} data-testid="remote-host-status">
            Connected to {host.address}
            {host.info ? ` · ${host.info.platform}, ${host.info.cpus} processors, ${host.info.memoryMiB.toLocaleString('en')} MB, ${host.info.accelerator.kind.toUpperCase()}` : ''}
            {host.tlsFingerprint ? ' · TLS (certificate pinned)' : ''}
          </div>
        )}
        <Table size="small" aria-label={`Virtual machines on ${hostLabel(host)}`} data-testid="remote-vm-table">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Name</TableHeaderCell>
              <TableHeaderCell>State</TableHeaderCell>
              <TableHeaderCell>CPU Usage</TableHeaderCell>
              <TableHeaderCell>Assigned Memory</TableHeaderCell>
              <TableHeaderCell>Uptime</TableHeaderCell>
              <TableHeaderCell>Status</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {vms.map((vm) => (
              <TableRow
                key={vm.id}
                className={`${s.row} ${selectedVmId === vm.id ? s.selected : ''}`}
                aria-selected={selectedVmId === vm.id}
                data-testid="remote-vm-row"
                data-vm-name={vm.name}
                data-state={vm.status.state}
                onClick={() => hostsStore.setState({ selectedVmId: vm.id })}
                onContextMenu={(e) => {
                  e.preventDefault();
                  hostsStore.setState({ selectedVmId: vm.id });
                  if (!away) setMenu({ point: { x: e.clientX, y: e.clientY }, vm });
                }}
              >
                <TableCell>{vm.name}</TableCell>
                <TableCell>
                  <StateBadge state={vm.status.state} />
                </TableCell>
                <TableCell>{away ? '' : cpuText(vm)}</TableCell>
                <TableCell>{memoryText(vm)}</TableCell>
                <TableCell>{away ? '' : uptimeText(vm)}</TableCell>
                <TableCell>{statusText(vm) || reasonText(vm)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
        {vms.length === 0 && <div className={s.empty}>{away ? 'No virtual machines known on this server.' : 'This server has no virtual machines.'}</div>}
        <div className={s.buttons}>
          <Button
            size="small"
            icon={<Delete16Regular />}
            disabled={removing}
            onClick={() => {
              setRemoving(true);
              engine
                .call('hosts.remove', { host: host.id })
                .then(() => selectHost(null))
                .catch((err: unknown) => {
                  setRemoving(false);
                  showError(toErrorInfo(err), `Remove ${hostLabel(host)}`);
                });
            }}
          >
            Remove Server
          </Button>
        </div>
      </div>
      <VmContextMenu
        point={menu?.point ?? null}
        actions={menu ? remoteActionsFor(menu.vm) : []}
        onAction={(a) => {
          if (menu) act(menu.vm, a);
          setMenu(null);
        }}
        onClose={() => setMenu(null)}
      />
      {confirm && (
        <Dialog open onOpenChange={(_, d) => !d.open && setConfirm(null)}>
          <DialogSurface style={{ maxWidth: 440 }} data-testid="remote-confirm">
            <DialogBody>
              <DialogTitle>
                {actionVerb(confirm.action)} “{confirm.vm.name}”?
              </DialogTitle>
              <DialogContent>
                {confirm.action === 'turnOff'
                  ? 'Turning off is like pulling the plug: anything not saved in the guest is lost.'
                  : confirm.action === 'deleteSavedState'
                    ? 'The saved memory state is deleted; the VM starts fresh next time.'
                    : 'The guest operating system is asked to shut down.'}
              </DialogContent>
              <DialogActions>
                <Button
                  appearance="primary"
                  onClick={() => {
                    runRemoteAction(engine, host, confirm.vm, confirm.action);
                    setConfirm(null);
                  }}
                >
                  {actionVerb(confirm.action)}
                </Button>
                <Button onClick={() => setConfirm(null)}>Cancel</Button>
              </DialogActions>
            </DialogBody>
          </DialogSurface>
        </Dialog>
      )}
    </section>
  );
}
