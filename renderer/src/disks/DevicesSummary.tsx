import { useEffect, useState } from 'react';
import { Badge, Button, Tooltip, makeStyles, tokens } from '@fluentui/react-components';
import { ArrowSync16Regular } from '@fluentui/react-icons';
import { toErrorInfo, type VmDevices, type VmSummary } from '../../../core/contract';
import { useEngine } from '../engine/engine-context';
import { showError } from '../state/ui-store';
import { loadNetworks, networkStore } from '../networks/network-store';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: '4px', minWidth: 0 },
  title: { color: tokens.colorNeutralForeground3 },
  row: { display: 'flex', flexWrap: 'wrap', gap: '4px 10px', alignItems: 'center' },
  item: { display: 'inline-flex', alignItems: 'center', gap: '4px', whiteSpace: 'nowrap' },
  hv: { color: tokens.colorNeutralForeground3 },
});

/** A device's kind as a small badge: synthetic (virtio / enlightened) in brand colour, emulated in grey. */
export function DeviceKindBadge({ kind }: { kind: 'synthetic' | 'emulated' }) {
  return (
    <Badge size="small" appearance={kind === 'synthetic' ? 'filled' : 'outline'} color={kind === 'synthetic' ? 'brand' : 'informative'}>
      {kind === 'synthetic' ? 'Synthetic' : 'Emulated'}
    </Badge>
  );
}

/** Details pane: which devices of the VM are synthetic and which emulated, and the Hyper-V enlightenments. */
export function DevicesSummary({ vm }: { vm: VmSummary }) {
  const s = useStyles();
  const engine = useEngine();
  const [devices, setDevices] = useState<VmDevices | null>(null);
  // Network names (adapters store ids) for Settings' hardware list, read once per console.
  useEffect(() => {
    if (networkStore.getState().list === null && !networkStore.getState().loading) void loadNetworks(engine);
  }, [engine]);
  useEffect(() => {
    let stale = false;
    engine.call('vm.devices', { vm: vm.id }).then(
      (d) => !stale && setDevices(d),
      () => !stale && setDevices(null),
    );
    return () => {
      stale = true;
    };
  }, [engine, vm.id, vm.status.state, vm.migrationBlocker, vm.name]);
  if (devices === null) return null;
  const synthetic = devices.devices.filter((d) => d.kind === 'synthetic');
  const emulated = devices.devices.filter((d) => d.kind === 'emulated');
  const list = (items: typeof synthetic) =>
    items.map((d) => (
      <Tooltip key={d.device} content={`${d.model}: ${d.detail}`} relationship="description">
        <span className={s.item}>{d.device}</span>
      </Tooltip>
    ));
  return (
    <div className={s.root} data-testid="devices-summary">
      <div className={s.row}>
        <DeviceKindBadge kind="synthetic" />
        {synthetic.length ? list(synthetic) : <span className={s.hv}>none</span>}
      </div>
      <div className={s.row}>
        <DeviceKindBadge kind="emulated" />
        {list(emulated)}
      </div>
      <div className={s.hv} data-testid="enlightenments">
        Hyper-V enlightenments: {devices.enlightenments.enabled ? devices.enlightenments.flags.join(', ') : 'off'} — {devices.enlightenments.reason}
      </div>
    </div>
  );
}

/** For a running VM on a dynamic VHD/VHDX: convert it to qcow2 live, so Save and snapshots become available. */
export function LiveConvertButton({ vm }: { vm: VmSummary }) {
  const engine = useEngine();
  const [busy, setBusy] = useState(false);
  if (vm.status.state !== 'Running' && vm.status.state !== 'Paused') return null;
  if (vm.migrationBlocker === null || !/VHD/.test(vm.migrationBlocker)) return null;
  return (
    <Button
      size="small"
      style={{ alignSelf: 'flex-start' }}
      icon={<ArrowSync16Regular />}
      disabled={busy}
      onClick={() => {
        setBusy(true);
        engine
          .call('vm.disk.convertLive', { vm: vm.id })
          .catch((err: unknown) => showError(toErrorInfo(err), `Convert the disk of “${vm.name}”`))
          .finally(() => setBusy(false));
      }}
    >
      Convert to qcow2 now (no downtime)
    </Button>
  );
}
