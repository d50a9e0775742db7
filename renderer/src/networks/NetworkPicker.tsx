import { useEffect } from 'react';
import { Dropdown, Option, OptionGroup, makeStyles, tokens } from '@fluentui/react-components';
import { useEngine } from '../engine/engine-context';
import { KIND_LABELS, findNetwork, loadNetworks, useNetworks } from './network-store';

const NOT_CONNECTED = '';

const useStyles = makeStyles({
  root: { minWidth: '260px' },
  kind: { color: tokens.colorNeutralForeground3, marginLeft: '6px', fontSize: tokens.fontSizeBase200 },
});

/** The host's virtual networks (by name, as adapters store them) and "Not connected" (null). */
export function NetworkPicker({
  value,
  onChange,
  disabled = false,
  id,
}: {
  value: string | null;
  onChange: (v: string | null) => void;
  disabled?: boolean;
  id?: string;
}) {
  const s = useStyles();
  const engine = useEngine();
  const list = useNetworks((st) => st.list);
  useEffect(() => {
    void loadNetworks(engine);
  }, [engine]);
  const current = findNetwork(list, value);
  // A reference the host does not know (an older config, another host's name) stays visible.
  const unknown = value !== null && current === null;
  const selected = value === null ? NOT_CONNECTED : (current?.name ?? value);
  const label = value === null ? 'Not connected' : (current?.name ?? `${value} (not on this host)`);
  return (
    <Dropdown
      {...(id !== undefined ? { id } : {})}
      className={s.root}
      disabled={disabled}
      value={label}
      selectedOptions={[selected]}
      onOptionSelect={(_, d) => {
        if (d.optionValue !== undefined) onChange(d.optionValue === NOT_CONNECTED ? null : d.optionValue);
      }}
      data-testid="network-picker"
    >
      <Option value={NOT_CONNECTED}>Not connected</Option>
      {unknown && value !== null && (
        <Option value={value} text={value}>
          {`${value} (not on this host)`}
        </Option>
      )}
      {(['external', 'internal', 'private'] as const).map((kind) => {
        const nets = list?.networks.filter((n) => n.kind === kind) ?? [];
        if (nets.length === 0) return null;
        return (
          <OptionGroup key={kind} label={KIND_LABELS[kind]}>
            {nets.map((n) => (
              <Option key={n.id} value={n.name} text={n.name}>
                {n.name}
                <span className={s.kind}>{n.kind === 'external' ? (n.external?.mode === 'bridge' ? `bridge ${n.external.bridge ?? ''}` : 'NAT') : KIND_LABELS[n.kind]}</span>
              </Option>
            ))}
          </OptionGroup>
        );
      })}
    </Dropdown>
  );
}
